import fc from 'fast-check';
import type { Response } from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The generated part of checkout-api.test.ts's bad-input table: random JSON thrown at the write
 * endpoints. No answer may be a 5xx; every 4xx is problem+json with a stable `code`. t.http also
 * validates each answer against the OpenAPI document (status, media type, schema, code). A
 * counterexample found here goes into the table as a fixed case with its expected status and code.
 */
describe('bad input, generated: random JSON never gets a 5xx', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let storeId: string;

  beforeAll(async () => {
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    const store = await t.createStore('Fuzzed shop', ['btcpay.store.canmodifystoresettings']);
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
  });
  afterAll(() => t?.close());

  // Bounded so the file runs in well under a minute on a loaded machine; a new seed every run.
  const RUNS = { checkout: 200, other: 60 };

  /** Strings a parser or a database may choke on: control characters, lone surrogates, RTL overrides, emoji, NUL. */
  const nasty = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\u001b[31m', '\r\n', '\u202E', '\uD800', '\uDFFF', '\u{1F600}'.repeat(300), 'x'.repeat(5000), '__proto__', 'constructor', '{}', 'null'),
  );
  const numbers = fc.oneof(
    fc.integer(),
    fc.double(), // NaN and ±Infinity serialize as null
    fc.constantFrom(0, -0, -1, 0.1, 1e-9, 1e21, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE),
  );
  const amount = fc.oneof(
    numbers,
    numbers.map(String),
    fc.bigInt().map(String),
    fc.constantFrom('1e400', '-1', 'NaN', 'Infinity', '-Infinity', '0x10', '1_000', ' 1', '1 ', '\u0661\u0662', '1.000000001', '99999999999999999999', '0.00000001', '1,5', '+1', '.5', '5.', '00012'),
    nasty,
    fc.constantFrom(null, true, false, [], {}, [1], { amount: 1 }),
  );
  const currency = fc.oneof(fc.constantFrom('SATS', 'BTC', 'USD', 'usd', 'EUR', 'JPY', 'KWD', 'XXX', 'sats', 'Btc', 'BTCX', 'US', ''), nasty, numbers, fc.constant(null));
  const deep = fc.integer({ min: 1, max: 60 }).chain((depth) =>
    fc.constantFrom('object', 'array').map((kind) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = kind === 'object' ? { a: value } : [value];
      return value;
    }),
  );
  const wide = fc.integer({ min: 1, max: 3000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));
  const metadata = fc.oneof(fc.jsonValue({ maxDepth: 6 }), deep, wide, fc.dictionary(nasty, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 20 }), fc.anything());
  const anyValue = fc.oneof(nasty, numbers, fc.jsonValue({ maxDepth: 3 }), fc.constant(null));

  const checkoutBody = fc.record(
    {
      amount,
      currency,
      orderId: fc.oneof(nasty, anyValue),
      customerId: fc.oneof(nasty, anyValue),
      description: fc.oneof(nasty, anyValue),
      redirectUrl: fc.oneof(fc.webUrl(), nasty, fc.constantFrom('javascript:alert(1)', 'http://', 'https://x', 'ftp://x/y', 'http://[::1]:99999/'), anyValue),
      expirySeconds: fc.oneof(numbers, anyValue),
      metadata,
    },
    { requiredKeys: [] },
  );
  /** A body: mostly shaped like the real one, sometimes with extra keys, sometimes any JSON at all. */
  const body = (shaped: fc.Arbitrary<Record<string, unknown>>) =>
    fc.oneof(
      { weight: 6, arbitrary: shaped },
      { weight: 1, arbitrary: fc.tuple(shaped, fc.dictionary(nasty, anyValue, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a })) },
      { weight: 1, arbitrary: fc.jsonValue() },
    );

  function assertClean(res: Response, sent: unknown): void {
    const where = `${res.status} for ${JSON.stringify(sent)?.slice(0, 300)}: ${res.text.slice(0, 300)}`;
    expect({ where, serverError: res.status >= 500 }).toEqual({ where, serverError: false });
    if (res.status >= 400) {
      expect({ where, type: res.headers['content-type'] }).toEqual({ where, type: expect.stringMatching(/^application\/problem\+json/) });
      expect({ where, code: res.body.code, status: res.body.status }).toEqual({ where, code: expect.stringMatching(/^[a-z][a-z0-9_]*$/), status: res.status });
    }
  }

  const send = (method: 'post' | 'patch', path: string, value: unknown) => {
    const text = JSON.stringify(value) ?? 'null';
    return t.http[method](path).set(auth).set('Content-Type', 'application/json').send(text);
  };

  it('POST /api/v1/checkouts', async () => {
    await fc.assert(
      fc.asyncProperty(body(checkoutBody), async (value) => assertClean(await send('post', '/api/v1/checkouts', value), value)),
      { numRuns: RUNS.checkout },
    );
  }, 120_000);

  it('POST /api/v1/webhooks', async () => {
    const webhook = fc.record(
      {
        url: fc.oneof(fc.webUrl(), nasty, anyValue),
        events: fc.oneof(fc.array(fc.oneof(fc.constantFrom('InvoiceCreated', 'InvoiceSettled'), nasty), { maxLength: 8 }), anyValue),
        enabled: fc.oneof(fc.boolean(), anyValue),
        description: fc.oneof(nasty, anyValue),
        format: fc.oneof(fc.constantFrom('standard', 'btcpay'), nasty, anyValue),
        secret: fc.oneof(nasty, fc.base64String({ minLength: 32, maxLength: 88 }).map((s) => `whsec_${s}`), anyValue),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body(webhook), async (value) => assertClean(await send('post', '/api/v1/webhooks', value), value)),
      { numRuns: RUNS.other },
    );
  }, 120_000);

  it('PATCH /api/v1/store', async () => {
    const settings = fc.record({ spreadPercent: fc.oneof(amount, fc.constantFrom('0', '49.9999', '50', '1.23456', '-0', '01.5')) }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(body(settings), async (value) => assertClean(await send('patch', '/api/v1/store', value), value)),
      { numRuns: RUNS.other },
    );
  }, 120_000);

  it('POST /api/v1/stores/:storeId/invoices (Greenfield)', async () => {
    const invoice = fc.record(
      {
        amount,
        currency,
        metadata: fc.oneof(metadata, fc.record({ orderId: anyValue, itemDesc: anyValue }, { requiredKeys: [] })),
        checkout: fc.oneof(fc.record({ expirationMinutes: fc.oneof(numbers, anyValue), redirectURL: fc.oneof(fc.webUrl(), nasty, anyValue) }, { requiredKeys: [] }), anyValue),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body(invoice), async (value) => assertClean(await send('post', `/api/v1/stores/${storeId}/invoices`, value), value)),
      { numRuns: RUNS.other },
    );
  }, 120_000);
});
