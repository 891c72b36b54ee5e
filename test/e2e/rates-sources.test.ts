import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/load-config';
import { comparePrice, priceFromDecimal, priceToDecimal, satsFor } from '../../src/rates/exact-price';
import { RateUnavailable } from '../../src/rates/rate-errors';
import { registerRateMetrics } from '../../src/rates/rate-metrics';
import { RateService } from '../../src/rates/rate.service';
import { buildRateSources } from '../../src/rates/rates.module';
import { FakeExchanges, liveRatesConfig, startFakeExchanges } from '../support/fake-exchanges';
import { eventually } from '../support/fake-platform-server';

/**
 * RateService against local servers that answer in each exchange's documented format (see
 * test/support/fake-exchanges.ts for the documents: Kraken "Get Ticker Information", Bitstamp
 * "Ticker" v2, Coinbase "Get Exchange Rates", CoinGecko "Coin Price by IDs", Bitfinex "Tickers").
 * Refresh rounds are run by hand, so every case is deterministic.
 */
jest.setTimeout(30_000);

const PRICES = {
  kraken: { CHF: '91234.56000', JPY: '15000000.0', CAD: '130000.00' },
  bitstamp: { CHF: '91230.00' },
  coinbase: { CHF: '91229.99', JPY: '15020000', KWD: '30650.123' },
  coingecko: { CHF: '91240.12', JPY: '15005000.5', CAD: '130010.5' },
  bitfinex: { JPY: '15010000' },
};

describe('exchange rate sources (local servers in the documented formats)', () => {
  let ex: FakeExchanges;
  let rates: RateService;
  let registry: Registry;
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;

  function service(currencies: Record<string, string[]>, extra: Record<string, unknown> = {}) {
    const config = loadConfig({
      env: {},
      overrides: { rates: liveRatesConfig(ex, currencies, { timeoutMs: 3000, quorum: 2, maxSpreadPercent: 5, ...extra }) },
    });
    const s = new RateService(config.rates, buildRateSources(config));
    registry = new Registry();
    registerRateMetrics(registry, s);
    return s;
  }
  /** The problem a refused rate becomes: its code, detail and Retry-After. */
  const refusal = (currency: string) => {
    try {
      rates.current(currency);
    } catch (err) {
      const e = err as RateUnavailable;
      return { status: e.getStatus(), code: e.code, detail: (e.getResponse() as { detail: string }).detail, retryAfterSeconds: e.retryAfterSeconds };
    }
    throw new Error(`${currency} was priced`);
  };
  const rate = (currency: string) => {
    const r = rates.current(currency);
    return { rate: priceToDecimal(r.price), sources: r.sources };
  };

  beforeAll(async () => {
    ex = await startFakeExchanges(structuredClone(PRICES));
  });
  afterAll(() => ex.close());
  beforeEach(() => {
    for (const e of Object.values(ex.all)) {
      e.behaviour = 'up';
      e.requests.length = 0;
    }
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    rates = service({
      CHF: ['kraken', 'bitstamp', 'coingecko'],
      JPY: ['kraken', 'coinbase', 'coingecko', 'bitfinex'],
      KWD: ['coinbase'],
      CAD: ['kraken', 'coingecko'],
    });
  });
  afterEach(async () => {
    await rates.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('all up: the median of every source, exactly (strings and JSON numbers alike)', async () => {
    await rates.refresh();
    // CHF: Kraken "91234.56000" (string), Bitstamp "91230.00" (string), CoinGecko 91240.12 (number).
    expect(rate('CHF')).toEqual({ rate: '91234.56', sources: ['kraken', 'bitstamp', 'coingecko'] });
    // JPY: four answers, the mean of the middle two: (15005000.5 + 15010000) / 2; Bitfinex sent numbers.
    expect(rate('JPY')).toEqual({ rate: '15007500.25', sources: ['kraken', 'coinbase', 'coingecko', 'bitfinex'] });
    // Each source was asked once, for its currencies only, at the documented endpoints.
    const asked = (request: string, param: string) => new URL(request, 'http://x').searchParams.get(param)?.split(',').sort();
    expect(ex.all.kraken.requests).toHaveLength(1);
    expect(asked(ex.all.kraken.requests[0], 'pair')).toEqual(['XBTCAD', 'XBTCHF', 'XBTJPY']);
    expect(ex.all.bitstamp.requests).toEqual(['/api/v2/ticker/btcchf/']);
    expect(ex.all.coinbase.requests).toEqual(['/v2/exchange-rates?currency=BTC']);
    expect(ex.all.coingecko.requests).toHaveLength(1);
    expect(ex.all.coingecko.requests[0]).toMatch(/^\/api\/v3\/simple\/price\?ids=bitcoin&vs_currencies=[a-z,]+&precision=full$/);
    expect(asked(ex.all.coingecko.requests[0], 'vs_currencies')).toEqual(['cad', 'chf', 'jpy']);
    expect(ex.all.bitfinex.requests).toEqual(['/v2/tickers?symbols=tBTCJPY']);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/rate_source_requests_total\{source="kraken",result="success"\} 1/);
    expect(metrics).toMatch(/rate_age_seconds\{currency="CHF"\} [0-9.e-]+/);
    expect(warn).not.toHaveBeenCalled();
  });

  it('one down: priced from the others; one warning for the whole outage, one line when it is back', async () => {
    ex.all.bitstamp.behaviour = 'down';
    for (let i = 0; i < 3; i++) await rates.refresh();
    expect(rate('CHF')).toEqual({ rate: '91237.34', sources: ['kraken', 'coingecko'] });
    const warnings = warn.mock.calls.filter(([, msg]) => String(msg).includes('bitstamp'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0][0])).toContain('HTTP 503');
    expect(rates.sourceStatus().find((s) => s.name === 'bitstamp')).toMatchObject({ up: false });
    expect(await registry.metrics()).toMatch(/rate_source_requests_total\{source="bitstamp",result="failure"\} 3/);
    ex.all.bitstamp.behaviour = 'up';
    await rates.refresh();
    expect(rate('CHF').sources).toEqual(['kraken', 'bitstamp', 'coingecko']);
    expect(log.mock.calls.filter(([, msg]) => String(msg).includes('bitstamp answers again'))).toHaveLength(1);
  });

  it('one slow: cut at the timeout, the round still completes with the others', async () => {
    rates = service({ CHF: ['kraken', 'bitstamp', 'coingecko'] }, { timeoutMs: 1000 });
    ex.all.kraken.behaviour = 'slow';
    const started = Date.now();
    await rates.refresh();
    // The slow answer would come after 5 s; the round ends at the 1 s timeout (generous bound).
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(rate('CHF')).toEqual({ rate: '91235.06', sources: ['bitstamp', 'coingecko'] });
    expect(rates.sourceStatus().find((s) => s.name === 'kraken')?.lastError).toMatch(/timed out/);
  });

  it('one streaming an endless answer: refused at the size limit, not buffered until the timeout, and disconnected', async () => {
    rates = service({ CHF: ['kraken', 'bitstamp', 'coingecko'] }, { timeoutMs: 5000 });
    ex.all.kraken.behaviour = 'endless';
    await rates.refresh();
    expect(rates.sourceStatus().find((s) => s.name === 'kraken')?.lastError).toMatch(/too large/);
    expect(rate('CHF')).toEqual({ rate: '91235.06', sources: ['bitstamp', 'coingecko'] });
    await eventually(() => ex.all.kraken.endlessClosed, 'the client closing the endless answer');
  });

  it('one returning garbage or an absurd price: an error, never a price', async () => {
    ex.all.coingecko.behaviour = 'garbage';
    await rates.refresh();
    expect(rate('CHF')).toEqual({ rate: '91232.28', sources: ['kraken', 'bitstamp'] });
    expect(rates.sourceStatus().find((s) => s.name === 'coingecko')?.lastError).toMatch(/not a decimal price/);
    ex.all.coingecko.behaviour = 'absurd';
    ex.all.kraken.behaviour = 'garbage';
    await rates.refresh();
    expect(rates.sourceStatus().find((s) => s.name === 'coingecko')?.lastError).toMatch(/absurd/);
    expect(rates.sourceStatus().find((s) => s.name === 'kraken')?.lastError).toMatch(/not JSON/);
  });

  it('one off by 20 %: excluded when the others outvote it, refused when two sources disagree', async () => {
    await rates.refresh();
    expect(() => rates.current('CAD')).not.toThrow();
    ex.all.coingecko.prices = { ...PRICES.coingecko, CHF: '109481.472', CAD: '156012.6' };
    try {
      await rates.refresh();
      // CHF: three sources, the 20 % outlier is left out of the median.
      expect(rate('CHF')).toEqual({ rate: '91232.28', sources: ['kraken', 'bitstamp'] });
      // CAD: two sources 20 % apart: neither can be trusted, no price, not even the last agreed one.
      expect(() => rates.current('CAD')).toThrow(RateUnavailable);
      expect(refusal('CAD')).toMatchObject({ status: 503, code: 'rate_unavailable', detail: expect.stringContaining('disagree by more than 5 %') });
    } finally {
      ex.all.coingecko.prices = { ...PRICES.coingecko };
    }
  });

  it('a locked rate is stored exactly: full-precision answers, an even median and a 4-decimal spread', async () => {
    ex.all.kraken.prices = { ...PRICES.kraken, CAD: '130000.5612345678' };
    ex.all.coingecko.prices = { ...PRICES.coingecko, CAD: '130010.1234567891' };
    try {
      await rates.refresh();
      const locked = rates.lock('CAD', '1.2345');
      // The stored decimal is the price the sats were computed from, so the checkout explains itself.
      expect(comparePrice(priceFromDecimal(locked.rate), locked.price)).toBe(0);
      expect(locked.rate).toBe('128400.42639442104953475');
      for (const amount of ['0.01', '19.99', '12345.67', '99999999.99'])
        expect(satsFor(amount, priceFromDecimal(locked.rate))).toBe(satsFor(amount, locked.price));
    } finally {
      ex.all.kraken.prices = { ...PRICES.kraken };
      ex.all.coingecko.prices = { ...PRICES.coingecko };
    }
  });

  it('a "*" currency first asked while a round is in flight is fetched by the round right after it, not a whole refresh interval later', async () => {
    rates = service({ '*': ['coinbase'], CHF: ['kraken'] }, { timeoutMs: 1000, refreshSeconds: 600 });
    ex.all.kraken.behaviour = 'slow';
    const round = rates.refresh();
    expect(refusal('KWD')).toMatchObject({ code: 'rate_unavailable', detail: expect.stringContaining('fetched for the first time'), retryAfterSeconds: 5 });
    await round;
    // No background loop runs in this test: only the follow-up round asked for by the request can price it.
    const priced = await eventually(
      () => {
        try {
          return rate('KWD');
        } catch {
          return undefined;
        }
      },
      'KWD to be fetched',
      5_000,
    );
    expect(priced).toEqual({ rate: '30650.123', sources: ['coinbase'] });
  });

  it('all down until the cache is stale: 503 rate_unavailable with Retry-After, then recovery', async () => {
    rates = service({ CHF: ['kraken', 'bitstamp', 'coingecko'] }, { refreshSeconds: 2, ttlSeconds: 0.3, maxAgeSeconds: 0.6 });
    await rates.refresh();
    expect(rate('CHF').rate).toBe('91234.56');
    for (const e of Object.values(ex.all)) e.behaviour = 'down';
    await rates.refresh();
    // Still within maxAge: the cached rate is used.
    expect(rate('CHF').rate).toBe('91234.56');
    await new Promise((r) => setTimeout(r, 700));
    await rates.refresh();
    expect(refusal('CHF')).toMatchObject({ status: 503, code: 'rate_unavailable', detail: expect.stringContaining('older than 0.6 s'), retryAfterSeconds: 2 });
    for (const e of Object.values(ex.all)) e.behaviour = 'up';
    await rates.refresh();
    expect(rate('CHF').rate).toBe('91234.56');
  });

  it('a currency only one source quotes: priced from it alone when it is the only one configured', async () => {
    await rates.refresh();
    expect(rate('KWD')).toEqual({ rate: '30650.123', sources: ['coinbase'] });
    // Configured with a second source that does not quote it, the quorum of 2 is not met.
    rates = service({ KWD: ['coinbase', 'coingecko'] });
    await rates.refresh();
    expect(refusal('KWD')).toMatchObject({ status: 503, code: 'rate_unavailable', detail: expect.stringContaining('1 of 2 sources answered, 2 needed') });
    // Under "*": the first request starts fetching it (503, retry soon), the next round prices it.
    rates = service({ '*': ['coinbase'] });
    await rates.refresh();
    expect(refusal('KWD')).toMatchObject({ status: 503, code: 'rate_unavailable', detail: expect.stringContaining('fetched for the first time') });
    await rates.refresh();
    expect(rate('KWD')).toEqual({ rate: '30650.123', sources: ['coinbase'] });
    // Not an ISO 4217 code under "*": 422.
    expect(() => rates.current('XYZ')).toThrow(expect.objectContaining({ code: 'unsupported_currency' }));
    rates = service({ KWD: ['coinbase'] });
    // Not configured at all: 422, not 503.
    expect(() => rates.current('SEK')).toThrow(expect.objectContaining({ code: 'unsupported_currency' }));
  });
});
