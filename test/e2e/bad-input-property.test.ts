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
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\u001b[31m',
      '\r\n',
      '\u202E',
      '\uD800',
      '\uDFFF',
      '\u{1F600}'.repeat(300),
      'x'.repeat(5000),
      '__proto__',
      'constructor',
      '{}',
      'null',
    ),
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
    fc.constantFrom(
      '1e400',
      '-1',
      'NaN',
      'Infinity',
      '-Infinity',
      '0x10',
      '1_000',
      ' 1',
      '1 ',
      '\u0661\u0662',
      '1.000000001',
      '99999999999999999999',
      '0.00000001',
      '1,5',
      '+1',
      '.5',
      '5.',
      '00012',
    ),
    nasty,
    fc.constantFrom(null, true, false, [], {}, [1], { amount: 1 }),
  );
  const currency = fc.oneof(
    fc.constantFrom('SATS', 'BTC', 'USD', 'usd', 'EUR', 'JPY', 'KWD', 'XXX', 'sats', 'Btc', 'BTCX', 'US', ''),
    nasty,
    numbers,
    fc.constant(null),
  );
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
  /**
   * A valid checkout with exactly one field made wrong (or dropped): most wholly random bodies die
   * at the first validation check, so without these the deeper paths (amount conversion, rates,
   * currency limits, BOLT11 description size, the invoice itself) are never reached.
   */
  const printable = fc.stringMatching(/^[A-Za-z0-9 .,:#'-]{1,60}$/);
  const validCheckout = fc.record(
    {
      amount: fc.oneof(
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 0, max: 8 })).map(([n, places]) => (n / 1e4).toFixed(places)),
      ),
      currency: fc.constantFrom('SATS', 'BTC', 'USD', 'EUR', 'GBP', 'sats', 'usd'),
      orderId: printable,
      customerId: printable,
      // Up to 500 UTF-16 units, but emoji and accents take more of BOLT11's 639 bytes than they count here.
      description: fc.oneof(
        printable,
        fc
          .array(fc.constantFrom('\u2615', '\u20ac', '\u00fc', '\u65e5\u672c', '\u{1F600}', ' a'), { minLength: 50, maxLength: 240 })
          .map((parts) => parts.join('').slice(0, 500)),
      ),
      redirectUrl: fc.constantFrom('https://shop.example/thanks', 'http://localhost:8080/done?x=1'),
      expirySeconds: fc.integer({ min: 60, max: 7 * 86400 }),
      metadata: fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,15}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
    },
    { requiredKeys: ['amount'] },
  );
  const wrong: Record<string, fc.Arbitrary<unknown>> = {
    amount,
    currency,
    orderId: fc.oneof(nasty, anyValue),
    customerId: fc.oneof(nasty, anyValue),
    description: fc.oneof(nasty, anyValue),
    redirectUrl: fc.oneof(nasty, fc.constantFrom('javascript:alert(1)', 'http://', 'ftp://x/y', 'http://[::1]:99999/'), anyValue),
    expirySeconds: fc.oneof(numbers, anyValue),
    metadata,
  };
  const oneFieldWrong = fc
    .tuple(validCheckout, fc.constantFrom(...Object.keys(wrong)), fc.boolean())
    .chain(([valid, key, drop]) =>
      drop && key === 'amount'
        ? fc.constant((({ amount: _a, ...rest }) => rest)(valid) as Record<string, unknown>)
        : wrong[key].map((value) => ({ ...valid, [key]: value })),
    );

  /** A body: mostly shaped like the real one, sometimes with extra keys, sometimes any JSON at all. */
  const body = (shaped: fc.Arbitrary<Record<string, unknown>>) =>
    fc.oneof(
      { weight: 6, arbitrary: shaped },
      { weight: 1, arbitrary: fc.tuple(shaped, fc.dictionary(nasty, anyValue, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a })) },
      { weight: 1, arbitrary: fc.jsonValue() },
    );

  /** `status code` -> how many answers, per endpoint: shows which paths the generators reach. */
  const tally = new Map<string, Map<string, number>>();
  const count = (endpoint: string, res: Response) => {
    const seen = tally.get(endpoint) ?? new Map<string, number>();
    const fields = res.body?.code === 'validation_failed' ? ` (${(res.body.errors as { field: string }[] | undefined)?.map((e) => e.field).join(',')})` : '';
    const key = `${res.status} ${res.body?.code ?? ''}${fields}`.trim();
    seen.set(key, (seen.get(key) ?? 0) + 1);
    tally.set(endpoint, seen);
  };
  afterAll(() => {
    for (const [endpoint, seen] of tally)
      console.log(
        `${endpoint}: ${[...seen]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} x${n}`)
          .join(', ')}`,
      );
  });

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
      fc.asyncProperty(body(checkoutBody), async (value) => {
        const res = await send('post', '/api/v1/checkouts', value);
        count('checkouts (random)', res);
        assertClean(res, value);
      }),
      { numRuns: RUNS.checkout },
    );
  }, 120_000);

  it('POST /api/v1/checkouts: a valid body with one field wrong reaches past validation', async () => {
    await fc.assert(
      fc.asyncProperty(oneFieldWrong, async (value) => {
        const res = await send('post', '/api/v1/checkouts', value);
        count('checkouts (one field wrong)', res);
        assertClean(res, value);
      }),
      { numRuns: RUNS.checkout },
    );
    // Honest coverage: a fair share is created, and refusals come from more than the validation pipe.
    const seen = tally.get('checkouts (one field wrong)')!;
    const created = seen.get('201') ?? 0;
    const beyondValidation = [...seen].filter(([k]) => k.startsWith('4') && !/ (validation_failed|malformed_json)( |$)/.test(k)).length;
    expect(created).toBeGreaterThan(RUNS.checkout / 20);
    expect(beyondValidation).toBeGreaterThan(0);
  }, 120_000);

  it('POST /api/v1/webhooks', async () => {
    const webhook = fc.record(
      {
        url: fc.oneof(fc.webUrl(), nasty, anyValue),
        events: fc.oneof(fc.array(fc.oneof(fc.constantFrom('InvoiceCreated', 'InvoiceSettled'), nasty), { maxLength: 8 }), anyValue),
        enabled: fc.oneof(fc.boolean(), anyValue),
        description: fc.oneof(nasty, anyValue),
        format: fc.oneof(fc.constantFrom('standard', 'btcpay'), nasty, anyValue),
        secret: fc.oneof(
          nasty,
          fc.base64String({ minLength: 32, maxLength: 88 }).map((s) => `whsec_${s}`),
          anyValue,
        ),
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
        checkout: fc.oneof(
          fc.record({ expirationMinutes: fc.oneof(numbers, anyValue), redirectURL: fc.oneof(fc.webUrl(), nasty, anyValue) }, { requiredKeys: [] }),
          anyValue,
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body(invoice), async (value) => assertClean(await send('post', `/api/v1/stores/${storeId}/invoices`, value), value)),
      { numRuns: RUNS.other },
    );
  }, 120_000);
});
