import { lockedBtcRate, lockedRateView } from './locked-rate';

const base = { currency: 'CHF', rate: null, rateBtc: null, rateSources: null, rateAt: null, rateSpreadPercent: null };

describe('lockedBtcRate (the Greenfield invoice rate)', () => {
  it('is the stored rate, padded when asked', () => {
    expect(lockedBtcRate({ ...base, rateBtc: '91234.56', rate: '1096.075873' })).toBe('91234.56');
    expect(lockedBtcRate({ ...base, rateBtc: '91234.56' }, 8)).toBe('91234.56000000');
  });

  it('is derived for rows priced before rates were locked, and fixed for BTC and SATS', () => {
    expect(lockedBtcRate({ ...base, currency: 'USD', rate: '1000' }, 8)).toBe('100000.00000000');
    expect(lockedBtcRate({ ...base, currency: 'BTC', rate: '100000000' }, 8)).toBe('1.00000000');
    expect(lockedBtcRate({ ...base, currency: 'SATS' })).toBe('100000000');
  });

  it('views only a locked rate', () => {
    expect(lockedRateView(base)).toBeNull();
    const at = new Date('2026-12-01T21:14:05Z');
    expect(lockedRateView({ ...base, rateBtc: '91234.56', rateSources: ['kraken', 'coingecko'], rateAt: at, rateSpreadPercent: '0' })).toEqual({
      currencyPair: 'BTC_CHF',
      rate: '91234.56',
      sources: ['kraken', 'coingecko'],
      sourceNames: ['Kraken', 'CoinGecko'],
      fetchedAt: '2026-12-01T21:14:05.000Z',
      spreadPercent: '0',
    });
  });
});
