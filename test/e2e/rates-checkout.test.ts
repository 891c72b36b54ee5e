import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { stringify } from 'yaml';
import { Checkout } from '../../src/checkout/checkout.entity';
import { OWNER_POLICY } from '../../src/stores/permissions';
import { FakeExchanges, liveRatesConfig, startFakeExchanges } from '../support/fake-exchanges';
import { compileServer, runCli, spawnServer } from '../support/server-process';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-db';

/**
 * Checkouts priced in CHF, JPY and KWD with live rates from local servers answering in each
 * exchange's documented format (documents named in test/support/fake-exchanges.ts): the exact
 * sats, the rate locked on the stored row, its explanation on the API, the hosted page and
 * Greenfield, the store spread, /metrics, readiness, and the 503 when every source is gone.
 */
jest.setTimeout(120_000);

const PRICES = {
  kraken: { CHF: '91234.56000', JPY: '15000000.0' },
  bitstamp: { CHF: '91230.00' },
  coinbase: { CHF: '91229.99', JPY: '15020000', KWD: '30650.123' },
  coingecko: { CHF: '91240.12', JPY: '15005000.5' },
  bitfinex: { JPY: '15010000' },
};

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('checkouts priced with live exchange rates', () => {
  let ex: FakeExchanges;
  let t: TestApp;
  let auth: { Authorization: string };
  let storeId: string;

  const create = (body: Record<string, unknown>) => t.http.post('/api/v1/checkouts').set(auth).send(body);

  beforeAll(async () => {
    ex = await startFakeExchanges(structuredClone(PRICES));
    t = await startTestApp({
      listen: true,
      config: {
        plugins: { enabled: ['greenfield'] },
        rates: liveRatesConfig(
          ex,
          { CHF: ['kraken', 'bitstamp', 'coingecko'], JPY: ['kraken', 'coinbase', 'coingecko', 'bitfinex'], KWD: ['coinbase'] },
          { quorum: 2, maxSpreadPercent: 5, timeoutMs: 1500, refreshSeconds: 0.2, ttlSeconds: 1.5, maxAgeSeconds: 3 },
        ),
      },
    });
    // The owner's key: the suite also changes the store's spread (canmodifystoresettings).
    const store = await t.createStore('Zürich shop', [OWNER_POLICY]);
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
    // The first background round fills the cache.
    await eventually(async () => ((await create({ amount: '1', currency: 'CHF' })).status === 201 ? true : undefined), 'the first CHF rate');
  });
  afterAll(async () => {
    await t?.close();
    await ex?.close();
  });
  beforeEach(() => {
    for (const e of Object.values(ex.all)) e.behaviour = 'up';
  });

  it('a CHF checkout: the median rate locked on the row, exact sats, explained on API and hosted page', async () => {
    const res = await create({ amount: '12.50', currency: 'CHF' }).expect(201);
    const after = Date.now();
    // ceil(12.5 * 1e8 / 91234.56) = 13701: rounded up, the shop is never underpaid.
    expect(res.body).toMatchObject({ currency: 'CHF', amount: '12.5', amountSats: 13701, rate: '1096.075873' });
    expect(res.body.exchangeRate).toMatchObject({
      currencyPair: 'BTC_CHF',
      rate: '91234.56',
      sources: ['kraken', 'bitstamp', 'coingecko'],
      sourceNames: ['Kraken', 'Bitstamp', 'CoinGecko'],
      spreadPercent: '0',
    });
    const fetchedAt = new Date(res.body.exchangeRate.fetchedAt).getTime();
    // Fetched by a background round before the checkout (refreshSeconds 0.2, maxAgeSeconds 3).
    expect(fetchedAt).toBeLessThanOrEqual(after);
    expect(after - fetchedAt).toBeLessThan(5_000);

    const row = await t.app.get(DataSource).getRepository(Checkout).findOneByOrFail({ id: res.body.id });
    expect(row).toMatchObject({ rateBtc: '91234.56', rateSources: ['kraken', 'bitstamp', 'coingecko'], rateSpreadPercent: '0', amountSats: 13701 });
    expect(row.rateAt?.getTime()).toBe(fetchedAt);

    const page = await t.http.get(`/i/${res.body.id}`).expect(200);
    const hhmm = new Date(fetchedAt).toISOString().slice(11, 16);
    // The price the shopper saw leads, with ISO 4217 minor units (Intl puts a no-break space after
    // the code); the sats follow; the rate, its sources, time and spread are behind "view details".
    expect(page.text).toMatch(/<p class="price">CHF\s12\.50<\/p>\s*<p class="sats-below">13,701 sats<\/p>/);
    expect(page.text).toContain('<summary>View details</summary>');
    expect(page.text).toContain('<dd class="rate">1 BTC = 91,234.56 CHF</dd>');
    expect(page.text).toContain('<dd>Kraken, Bitstamp and CoinGecko (median)</dd>');
    expect(page.text).toContain(`<time datetime="${new Date(fetchedAt).toISOString()}"`);
    expect(page.text).toContain(`${hhmm} UTC</time>`);
    expect(page.text).toContain('<dd>0%</dd>');
  });

  it('a JPY checkout: 0 decimals (ISO 4217), the mean of the two middle answers, exact sats', async () => {
    const res = await create({ amount: '1500', currency: 'JPY' }).expect(201);
    // Median of 15000000.0, 15005000.5, 15010000, 15020000 = 15007500.25; ceil(1500e8 / 15007500.25) = 9996.
    expect(res.body).toMatchObject({ currency: 'JPY', amount: '1500', amountSats: 9996 });
    expect(res.body.exchangeRate).toMatchObject({ rate: '15007500.25', sources: ['kraken', 'coinbase', 'coingecko', 'bitfinex'] });
    const page = await t.http.get(`/i/${res.body.id}`).expect(200);
    expect(page.text).toContain('<dd class="rate">1 BTC = 15,007,500 JPY</dd>');
    expect(page.text).toContain('<dd>Kraken, Coinbase, CoinGecko and Bitfinex (median)</dd>');
    expect(page.text).toContain('<p class="price">¥1,500 <small>JPY</small></p>');
    // In the shopper's language: German grouping, sources and labels.
    const de = await t.http.get(`/i/${res.body.id}`).set('Accept-Language', 'de-CH, de;q=0.9').expect(200);
    expect(de.text).toContain('<dd class="rate">1 BTC = 15.007.500 JPY</dd>');
    expect(de.text).toContain('<dd>Kraken, Coinbase, CoinGecko und Bitfinex (Median)</dd>');
    expect(de.text).toMatch(/<p class="price">1\.500\s¥ <small>JPY<\/small><\/p>\s*<p class="sats-below">9\.996 sats<\/p>/);

    const decimals = await create({ amount: '1500.5', currency: 'JPY' }).expect(422);
    expect(decimals.body).toMatchObject({ code: 'invalid_amount', detail: expect.stringContaining('at most 0 decimals') });
  });

  it('KWD: 3 decimals are fine, 4 are refused; priced from the one source that quotes it', async () => {
    const res = await create({ amount: '1.125', currency: 'KWD' }).expect(201);
    expect(res.body).toMatchObject({ amount: '1.125', amountSats: 3671 });
    expect(res.body.exchangeRate).toMatchObject({ rate: '30650.123', sources: ['coinbase'] });
    const page = await t.http.get(`/i/${res.body.id}`).expect(200);
    expect(page.text).toContain('<dd class="rate">1 BTC = 30,650.123 KWD</dd>');
    expect(page.text).toContain('<dd>Coinbase</dd>');
    expect((await create({ amount: '1.1255', currency: 'KWD' }).expect(422)).body.code).toBe('invalid_amount');
    expect((await create({ amount: '1', currency: 'SEK' }).expect(422)).body.code).toBe('unsupported_currency');
  });

  it('the store spread is applied on top, exactly, and shown by Greenfield GET /stores/{id}/rates', async () => {
    const patched = await t.http.patch('/api/v1/store').set(auth).send({ spreadPercent: '2' }).expect(200);
    expect(patched.body.spreadPercent).toBe('2');
    expect((await t.http.patch('/api/v1/store').set(auth).send({ spreadPercent: '60' }).expect(422)).body.code).toBe('validation_failed');
    for (const spreadPercent of [null, -1, 1.5, '-1', '100', '1e1', '1.23456', 'abc', ['1']]) {
      expect((await t.http.patch('/api/v1/store').set(auth).send({ spreadPercent }).expect(422)).body.code).toBe('validation_failed');
    }
    try {
      const res = await create({ amount: '12.50', currency: 'CHF' }).expect(201);
      // 91234.56 * 0.98 = 89409.8688; ceil(12.5e8 / 89409.8688) = 13981.
      expect(res.body).toMatchObject({ amountSats: 13981 });
      expect(res.body.exchangeRate).toMatchObject({ rate: '89409.8688', spreadPercent: '2' });
      const page = await t.http.get(`/i/${res.body.id}`).expect(200);
      expect(page.text).toContain('<dd class="rate">1 BTC = 89,409.87 CHF</dd>');
      expect(page.text).toContain('<dd>2%</dd>');
      const rates = await t.http.get(`/api/v1/stores/${storeId}/rates?currencyPair=BTC_CHF&currencyPair=BTC_JPY&currencyPair=BTC_SEK`).set(auth).expect(200);
      expect(rates.body).toEqual([
        { currencyPair: 'BTC_CHF', errors: [], rate: '89409.8688' },
        // 15007500.25 * 0.98
        { currencyPair: 'BTC_JPY', errors: [], rate: '14707350.245' },
        { currencyPair: 'BTC_SEK', errors: [expect.stringContaining('no rate source is configured')], rate: null },
      ]);
      // The Greenfield invoice view reads the locked rate of the checkout, not today's.
      const invoice = await t.http.get(`/api/v1/stores/${storeId}/invoices/${res.body.id}/payment-methods`).set(auth).expect(200);
      expect(invoice.body[0].rate).toBe('89409.86880000');
    } finally {
      await t.http.patch('/api/v1/store').set(auth).send({ spreadPercent: '0' }).expect(200);
    }
  });

  it('/metrics counts per-source successes and failures and shows the age of each cached rate', async () => {
    ex.all.bitstamp.behaviour = 'down';
    await new Promise((r) => setTimeout(r, 500));
    const text = (await t.http.get('/metrics').expect(200)).text;
    expect(text).toMatch(/rate_source_requests_total\{source="kraken",result="success"\} [1-9]/);
    expect(text).toMatch(/rate_source_requests_total\{source="bitstamp",result="failure"\} [1-9]/);
    expect(text).toMatch(/rate_source_up\{source="bitstamp"\} 0/);
    expect(text).toMatch(/rate_age_seconds\{currency="CHF"\} [0-9.e-]+/);
  });

  it('/health/ready stays ready with one source down, and names it', async () => {
    ex.all.bitstamp.behaviour = 'down';
    await new Promise((r) => setTimeout(r, 500));
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.details.rates).toMatchObject({ status: 'up', mode: 'live', sources: { kraken: 'up', coingecko: 'up' } });
    expect(ready.body.details.rates.sources.bitstamp).toMatch(/^down since /);
    // Its last answer counts until ttlSeconds; then the rate comes from the two others.
    const res = await eventually(async () => {
      const r = await create({ amount: '12.50', currency: 'CHF' }).expect(201);
      return r.body.exchangeRate.sources.includes('bitstamp') ? undefined : r;
    }, 'bitstamp to leave the median');
    expect(res.body.exchangeRate).toMatchObject({ sources: ['kraken', 'coingecko'], rate: '91237.34' });
    expect(res.body.amountSats).toBe(13701);
  });

  it('all sources down until the rate is stale: 503 rate_unavailable with Retry-After, then recovery', async () => {
    for (const e of Object.values(ex.all)) e.behaviour = 'down';
    const refused = await eventually(async () => {
      const res = await create({ amount: '12.50', currency: 'CHF' });
      return res.status === 503 ? res : undefined;
    }, 'the CHF rate to go stale');
    expect(refused.body).toMatchObject({ code: 'rate_unavailable', status: 503 });
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toContain('application/problem+json');
    // Sats checkouts go on, and the server stays ready.
    await create({ amount: '2100', currency: 'SATS' }).expect(201);
    await t.http.get('/health/ready').expect(200);
    for (const e of Object.values(ex.all)) e.behaviour = 'up';
    const back = await eventually(async () => {
      const res = await create({ amount: '12.50', currency: 'CHF' });
      return res.status === 201 ? res : undefined;
    }, 'the CHF rate to come back');
    expect(back.body).toMatchObject({ amountSats: 13701, exchangeRate: { rate: '91234.56' } });
  });
});

describe('the default embedded start', () => {
  it('prices with the fixed table, calls no exchange, says so in its start-up log; the CLI sets a store spread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-rates-'));
    const db = await createTestDatabase();
    const compiled = await compileServer();
    try {
      writeFileSync(join(dir, 'app.yaml'), stringify({ database: db.config }));
      const env = { CONFIG_FILE: join(dir, 'app.yaml') };
      const { apiKey } = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Spread shop', '--spread', '1.5', '--json'], env)) as { apiKey: string };
      const server = spawnServer({ name: 'rates-default', script: compiled.entry('src/main.ts'), env });
      try {
        const url = await server.ready;
        const headers = { Authorization: `token ${apiKey}`, 'content-type': 'application/json' };
        expect(await (await fetch(`${url}/api/v1/store`, { headers })).json()).toMatchObject({ spreadPercent: '1.5' });
        // EUR at the fixed 1100 sats/EUR, the store's 1.5 % on top: ceil(10 * 1100 / 0.985) = 11168.
        const created = await fetch(`${url}/api/v1/checkouts`, { method: 'POST', headers, body: JSON.stringify({ amount: '10', currency: 'EUR' }) });
        expect(created.status).toBe(201);
        expect(await created.json()).toMatchObject({
          amountSats: 11168,
          exchangeRate: { sources: ['fixed'], sourceNames: ['fixed rate table'], spreadPercent: '1.5' },
        });
        // Log lines are written asynchronously; the listening line may come first.
        await eventually(async () => (server.output().includes('exchange rates: the fixed table only') ? true : undefined), 'the rates start-up line');
        expect(server.output()).toContain('exchange rates: the fixed table only (USD, EUR, GBP; sats per unit), no exchange is called');
      } finally {
        await server.stop();
      }
    } finally {
      compiled.remove();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
