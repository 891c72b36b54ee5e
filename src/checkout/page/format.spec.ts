import { formatDecimal, formatPrice, formatRemaining, formatSats, formatUtc, rateDetails } from './format';
import { translator } from './i18n';

describe('hosted page formatting', () => {
  it('groups sats', () => {
    expect(formatSats(2100)).toBe('2,100');
    expect(formatSats(1)).toBe('1');
  });

  it('shows the merchant price exactly, with its currency', () => {
    expect(formatPrice('12.345', 'USD')).toEqual({ text: '$12.345', code: 'USD' });
    expect(formatPrice('12', 'EUR')).toEqual({ text: '€12.00', code: 'EUR' });
    expect(formatPrice('0.00001', 'BTC')).toEqual({ text: '0.00001', code: 'BTC' });
    expect(formatPrice('1234567.5', 'GBP')).toEqual({ text: '£1,234,567.50', code: 'GBP' });
    // The code is not repeated where the text already names it.
    expect(formatPrice('12.5', 'CHF').text.replace(/\s/g, ' ')).toBe('CHF 12.50');
    expect(formatPrice('12.5', 'CHF').code).toBeNull();
  });

  it('shows a price with the minor units of its currency (ISO 4217), in the page language', () => {
    expect(formatPrice('1500', 'JPY')).toEqual({ text: '¥1,500', code: 'JPY' });
    expect(formatPrice('1.5', 'KWD').text.replace(/\s/g, ' ')).toBe('KWD 1.500');
    expect(formatPrice('1234.5', 'EUR', 'de-DE').text.replace(/\s/g, ' ')).toBe('1.234,50 €');
    expect(formatPrice('1234.5', 'EUR', 'fr-FR').text.replace(/\s/g, ' ')).toBe('1 234,50 €');
    expect(formatPrice('1500', 'JPY', 'ja-JP').text).toBe('￥1,500');
    expect(formatSats(13701, 'de-DE')).toBe('13.701');
  });

  it('rounds and groups a decimal string without a float', () => {
    expect(formatDecimal('91234.56', 2)).toBe('91,234.56');
    expect(formatDecimal('15007500.25', 0)).toBe('15,007,500');
    expect(formatDecimal('15007500.5', 0)).toBe('15,007,501');
    expect(formatDecimal('89409.8688', 2)).toBe('89,409.87');
    expect(formatDecimal('30650.123', 3)).toBe('30,650.123');
    expect(formatDecimal('9999999999999999.995', 2)).toBe('10,000,000,000,000,000.00');
    expect(formatDecimal('0.5', 2)).toBe('0.50');
  });

  it('explains a locked rate: value, sources, median, time, spread', () => {
    const at = new Date('2026-12-01T21:14:59Z');
    const lock = {
      currency: 'CHF',
      rate: '1096.075873',
      rateBtc: '91234.56',
      rateSources: ['kraken', 'bitstamp', 'coingecko'],
      rateAt: at,
      rateSpreadPercent: '0',
    };
    expect(rateDetails(lock, translator('en'))).toEqual({
      rate: '1 BTC = 91,234.56 CHF',
      sources: 'Kraken, Bitstamp and CoinGecko (median)',
      at,
      spread: '0%',
    });
    expect(rateDetails({ ...lock, rateSources: ['coinbase'], rateSpreadPercent: '1.5' }, translator('en'))).toMatchObject({
      sources: 'Coinbase',
      spread: '1.5%',
    });
    const de = rateDetails({ ...lock, currency: 'JPY', rateBtc: '15007500.5', rateSpreadPercent: '2' }, translator('de'), 'de-DE')!;
    expect({ ...de, spread: de.spread.replace(/\s/g, ' ') }).toEqual({
      rate: '1 BTC = 15.007.501 JPY',
      sources: 'Kraken, Bitstamp und CoinGecko (Median)',
      at,
      spread: '2 %',
    });
    expect(rateDetails({ ...lock, rateBtc: null }, translator('en'))).toBeNull();
  });

  it('counts down in minutes, hours or days', () => {
    expect(formatRemaining(899_400)).toBe('14:59');
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
    expect(formatRemaining(2 * 86_400_000 + 3_723_000)).toBe('2d 1h 2m');
    expect(formatRemaining(-5_000)).toBe('0:00');
    expect(formatRemaining(2 * 86_400_000 + 3_723_000, translator('ja')('countdownDays'))).toBe('2日 1時間 2分');
  });

  it('prints the expiry in UTC', () => {
    expect(formatUtc(new Date('2026-11-23T09:05:00Z'))).toBe('23 Nov 2026, 09:05 UTC');
    expect(formatUtc(new Date('2026-11-23T09:05:00Z'), 'de-DE')).toBe('23. Nov. 2026, 09:05 UTC');
  });
});
