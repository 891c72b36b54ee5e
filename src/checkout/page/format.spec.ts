import { formatDecimal, formatLockedRate, formatPrice, formatRemaining, formatSats, formatUtc } from './format';

describe('hosted page formatting', () => {
  it('groups sats', () => {
    expect(formatSats(2100)).toBe('2,100');
    expect(formatSats(1)).toBe('1');
  });

  it('shows the merchant price exactly, with its currency', () => {
    expect(formatPrice('12.345', 'USD')).toBe('$12.345 USD');
    expect(formatPrice('12', 'EUR')).toBe('€12.00 EUR');
    expect(formatPrice('0.00001', 'BTC')).toBe('0.00001 BTC');
    expect(formatPrice('1234567.5', 'GBP')).toBe('£1,234,567.50 GBP');
  });

  it('shows a price with the minor units of its currency (ISO 4217)', () => {
    expect(formatPrice('1500', 'JPY')).toBe('¥1,500 JPY');
    expect(formatPrice('1.5', 'KWD').replace(/\s/g, ' ')).toBe('KWD 1.500 KWD');
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

  it('explains a locked rate: value, sources, median, time', () => {
    const at = new Date('2026-12-01T21:14:59Z');
    const lock = { currency: 'CHF', rate: '1096.075873', rateBtc: '91234.56', rateSources: ['kraken', 'bitstamp', 'coingecko'], rateAt: at, rateSpreadPercent: '0' };
    expect(formatLockedRate(lock)).toBe('1 BTC = 91,234.56 CHF · Kraken, Bitstamp, CoinGecko median · 21:14 UTC');
    expect(formatLockedRate({ ...lock, rateSources: ['coinbase'] })).toBe('1 BTC = 91,234.56 CHF · Coinbase · 21:14 UTC');
    expect(formatLockedRate({ ...lock, rateBtc: null })).toBeNull();
  });

  it('counts down in minutes, hours or days', () => {
    expect(formatRemaining(899_400)).toBe('14:59');
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
    expect(formatRemaining(2 * 86_400_000 + 3_723_000)).toBe('2d 1h 2m');
    expect(formatRemaining(-5_000)).toBe('0:00');
  });

  it('prints the expiry in UTC', () => {
    expect(formatUtc(new Date('2026-11-23T09:05:00Z'))).toBe('23 Nov 2026, 09:05 UTC');
  });
});
