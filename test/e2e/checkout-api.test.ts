import { createHash } from 'node:crypto';
import * as bolt11 from 'bolt11';
import { Checkout } from '../../src/checkout/checkout.entity';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { LightningService } from '../../src/lightning/lightning.service';
import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { startTestApp, TestApp } from '../support/test-app';
import type { Response } from 'supertest';

describe('checkout API (embedded dev backend)', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let otherAuth: { Authorization: string };
  let storeA: string;

  beforeAll(async () => {
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    const shopA = await t.createStore('Shop A');
    storeA = shopA.storeId;
    auth = { Authorization: `token ${shopA.apiKey}` };
    otherAuth = { Authorization: `token ${(await t.createStore('Shop B')).apiKey}` };
  });
  afterAll(() => t?.close());

  const create = (body: unknown, headers: Record<string, string> = {}) =>
    t.http
      .post('/api/v1/checkouts')
      .set({ ...auth, ...headers })
      .send(body as object);

  it('creates a checkout in sats with a signed regtest invoice', async () => {
    const res = await create({ amount: 2100, orderId: 'o-1', description: 'Coffee' }).expect(201);
    expect(res.body).toMatchObject({ status: 'New', additionalStatus: 'None', amountSats: 2100, currency: 'SATS', orderId: 'o-1', nodeName: 'dev' });
    expect(res.body.bolt11).toMatch(/^lnbcrt21u1/);
    expect(res.body.lightningUri).toBe(`LIGHTNING:${res.body.bolt11.toUpperCase()}`);
    expect(res.body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(res.headers.location).toBe(`/api/v1/checkouts/${res.body.id}`);
  });

  it('converts fiat with the fixed rate table; more decimals than the currency has (ISO 4217) are refused', async () => {
    const res = await create({ amount: '12.34', currency: 'usd' }).expect(201);
    expect(res.body).toMatchObject({ currency: 'USD', amount: '12.34', rate: '1000', amountSats: 12340 });
    expect(res.body.exchangeRate).toMatchObject({ currencyPair: 'BTC_USD', rate: '100000', sources: ['fixed'], spreadPercent: '0' });
    expect((await create({ amount: '12.345', currency: 'usd' }).expect(422)).body.code).toBe('invalid_amount');
    const btc = await create({ amount: '0.00001', currency: 'BTC' }).expect(201);
    expect(btc.body.amountSats).toBe(1000);
  });

  it('returns the same checkout for the same Idempotency-Key', async () => {
    const first = await create({ amount: 500, orderId: 'idem' }, { 'Idempotency-Key': 'key-1' }).expect(201);
    const again = await create({ amount: 500, orderId: 'idem' }, { 'Idempotency-Key': 'key-1' }).expect(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const parallel = await Promise.all([1, 2, 3].map(() => create({ amount: 7 }, { 'Idempotency-Key': 'key-par' })));
    expect(new Set(parallel.map((r) => r.body.id)).size).toBe(1);
    const reused = await create({ amount: 501 }, { 'Idempotency-Key': 'key-1' }).expect(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  it('fingerprints the whole body: different nested metadata is refused, the same body in another key order is a replay', async () => {
    const body = { amount: 600, orderId: 'idem-meta', metadata: { cart: { items: [{ sku: 'A', qty: 1 }] }, note: 'x' } };
    const first = await create(body, { 'Idempotency-Key': 'key-meta' }).expect(201);
    const other = { ...body, metadata: { cart: { items: [{ sku: 'B', qty: 2 }] }, note: 'x' } };
    const reused = await create(other, { 'Idempotency-Key': 'key-meta' }).expect(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    const reordered = { metadata: { note: 'x', cart: { items: [{ qty: 1, sku: 'A' }] } }, orderId: 'idem-meta', amount: 600 };
    const replay = await create(reordered, { 'Idempotency-Key': 'key-meta' }).expect(200);
    expect(replay.body.id).toBe(first.body.id);
  });

  it('a retry across the upgrade is still a replay: a key stored with the previous fingerprint and the same body', async () => {
    const body = { amount: 700, orderId: 'idem-upgrade', metadata: { cart: 'c-1' } };
    const first = await create(body, { 'Idempotency-Key': 'key-upgrade' }).expect(201);
    // What the previous version stored for this request (the top-level keys as replacer: nested metadata was left out).
    const previous = createHash('sha256')
      .update(JSON.stringify(body, Object.keys(body).sort()))
      .digest('hex');
    await t.app.get(UnitOfWork).run((m) => m.update(Checkout, { id: first.body.id }, { idempotencyFingerprint: previous }));
    const replay = await create(body, { 'Idempotency-Key': 'key-upgrade' }).expect(200);
    expect(replay.body.id).toBe(first.body.id);
    const reused = await create({ ...body, amount: 701 }, { 'Idempotency-Key': 'key-upgrade' }).expect(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  it('an underpayment is never Settled: the checkout stays New, marked PaidPartial, with the amount really paid', async () => {
    const c = await create({ amount: 1025 }).expect(201);
    void t.app.get(LightningService).simulatePayment(c.body.paymentHash, 400);
    await waitFor(async () => (await t.http.get(`/api/v1/checkouts/${c.body.id}`).set(auth)).body.amountPaidSats === 400);
    const after = await t.http.get(`/api/v1/checkouts/${c.body.id}`).set(auth).expect(200);
    expect(after.body).toMatchObject({ status: 'New', additionalStatus: 'PaidPartial', amountPaidSats: 400, amountSats: 1025 });
    const transitions = t.app.get(CheckoutTransitions);
    expect(await transitions.applyPayment({ paymentHash: c.body.paymentHash, amountPaidSats: 1024, settledAt: new Date() })).not.toBe('settled');
    expect((await t.http.get(`/api/v1/checkouts/${c.body.id}`).set(auth)).body.status).toBe('New');
  });

  it("a canceled checkout's invoice is canceled on the node: it can no longer be paid", async () => {
    const c = await create({ amount: 321 }).expect(201);
    await t.http.post(`/api/v1/checkouts/${c.body.id}/cancel`).set(auth).expect(200);
    const lightning = t.app.get(LightningService);
    expect(await lightning.lookupInvoice({ paymentHash: c.body.paymentHash, nodeName: c.body.nodeName })).toMatchObject({ canceled: true, settled: false });
    const refused = await t.http.post(`/i/${c.body.id}/simulate-payment`).set('Accept', 'application/json').expect(409);
    expect(refused.body.code).toBe('invoice_canceled');
    expect((await t.http.get(`/api/v1/checkouts/${c.body.id}`).set(auth)).body).toMatchObject({
      status: 'Invalid',
      additionalStatus: 'None',
      amountPaidSats: null,
    });
  });

  it('gets, lists with filters and paginates', async () => {
    const a = await create({ amount: 10, orderId: 'list-me' }).expect(201);
    const got = await t.http.get(`/api/v1/checkouts/${a.body.id}`).set(auth).expect(200);
    expect(got.body.id).toBe(a.body.id);
    const byOrder = await t.http.get('/api/v1/checkouts?orderId=list-me').set(auth).expect(200);
    expect(byOrder.body.items.map((c: { id: string }) => c.id)).toEqual([a.body.id]);
    const page = await t.http.get('/api/v1/checkouts?limit=2&offset=1&status=New').set(auth).expect(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThan(3);
    expect(page.body).toMatchObject({ limit: 2, offset: 1 });
  });

  it('a key only sees its own store', async () => {
    const mine = await create({ amount: 10 }).expect(201);
    const res = await t.http.get(`/api/v1/checkouts/${mine.body.id}`).set(otherAuth).expect(404);
    expect(res.body.code).toBe('checkout_not_found');
    const list = await t.http.get('/api/v1/checkouts').set(otherAuth).expect(200);
    expect(list.body.total).toBe(0);
  });

  it('cancels a New checkout, refuses to cancel a settled one', async () => {
    const c = await create({ amount: 10 }).expect(201);
    const canceled = await t.http.post(`/api/v1/checkouts/${c.body.id}/cancel`).set(auth).expect(200);
    expect(canceled.body.status).toBe('Invalid');
    const paid = await create({ amount: 10 }).expect(201);
    await t.app.get(CheckoutTransitions).applyPayment({ paymentHash: paid.body.paymentHash, amountPaidSats: 10, settledAt: new Date() });
    const res = await t.http.post(`/api/v1/checkouts/${paid.body.id}/cancel`).set(auth).expect(409);
    expect(res.body.code).toBe('checkout_not_cancelable');
  });

  it('settles exactly once on a simulated payment, and records a payment after expiry as PaidLate', async () => {
    const c = await create({ amount: 42 }).expect(201);
    const lightning = t.app.get(LightningService);
    void lightning.simulatePayment(c.body.paymentHash);
    void lightning.simulatePayment(c.body.paymentHash);
    await waitFor(async () => (await t.http.get(`/api/v1/checkouts/${c.body.id}`).set(auth)).body.status === 'Settled');
    const transitions = t.app.get(CheckoutTransitions);
    expect(await transitions.applyPayment({ paymentHash: c.body.paymentHash, amountPaidSats: 42, settledAt: new Date() })).toBe('already_applied');

    const late = await create({ amount: 43 }).expect(201);
    expect(await transitions.expire(late.body.id)).toBe(true);
    expect(await transitions.expire(late.body.id)).toBe(false);
    expect(await transitions.applyPayment({ paymentHash: late.body.paymentHash, amountPaidSats: 43, settledAt: new Date() })).toBe('paid_late');
    const after = await t.http.get(`/api/v1/checkouts/${late.body.id}`).set(auth).expect(200);
    expect(after.body).toMatchObject({ status: 'Expired', additionalStatus: 'PaidLate', amountPaidSats: 43 });
  });

  it('expires due checkouts on schedule', async () => {
    const c = await create({ amount: 10, expirySeconds: 60 }).expect(201);
    const expired = await t.app.get(CheckoutTransitions).expireDue(new Date(Date.now() + 61_000));
    expect(expired).toBeGreaterThanOrEqual(1);
    const res = await t.http.get(`/api/v1/checkouts/${c.body.id}`).set(auth).expect(200);
    expect(res.body.status).toBe('Expired');
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.http.get('/docs/openapi.json').expect(200);
    expect(res.body.paths['/api/v1/checkouts']).toBeDefined();
  });

  it('a description longer than a BOLT11 invoice holds is cut for the invoice and kept whole on the checkout', async () => {
    // 500 emoji are 2000 bytes, a 200-emoji order id makes an 800-byte description: BOLT11 holds 639.
    for (const body of [
      { amount: 1, description: '\u{1F600}'.repeat(500) },
      { amount: 1, orderId: '\u{1F600}'.repeat(200) },
    ]) {
      const res = await create(body).expect(201);
      const memo = String(bolt11.decode(res.body.bolt11).tagsObject.description);
      expect(Buffer.byteLength(memo)).toBeLessThanOrEqual(639);
      expect(memo).toMatch(/^(\u{1F600})+$|order \u{1F600}/u);
      expect(res.body.description ?? res.body.orderId).toBe(body.description ?? body.orderId);
    }
  });

  describe('bad input gets a clear 4xx problem with a stable code', () => {
    const cases: [string, () => PromiseLike<Response>, number, string][] = [
      ['malformed JSON', () => t.http.post('/api/v1/checkouts').set(auth).set('Content-Type', 'application/json').send('{"amount":'), 400, 'malformed_json'],
      ['missing amount', () => create({}), 422, 'validation_failed'],
      ['amount of the wrong type', () => create({ amount: { x: 1 } }), 422, 'validation_failed'],
      ['amount as a boolean', () => create({ amount: true }), 422, 'validation_failed'],
      ['negative amount', () => create({ amount: -5 }), 422, 'validation_failed'],
      ['zero amount', () => create({ amount: '0' }), 422, 'validation_failed'],
      ['huge amount', () => create({ amount: '9999999999999999' }), 422, 'amount_too_large'],
      ['fractional sats', () => create({ amount: '1.5' }), 422, 'invalid_amount'],
      ['unknown currency', () => create({ amount: 1, currency: 'XYZ' }), 422, 'unsupported_currency'],
      ['unknown field', () => create({ amount: 1, hack: true }), 422, 'validation_failed'],
      ['bad redirect URL', () => create({ amount: 1, redirectUrl: 'javascript:alert(1)' }), 422, 'validation_failed'],
      ['expiry too short', () => create({ amount: 1, expirySeconds: 1 }), 422, 'validation_failed'],
      ['a body that is too large', () => create({ amount: 1, description: 'x'.repeat(200_000) }), 413, 'payload_too_large'],
      ['bad Idempotency-Key', () => create({ amount: 1 }, { 'Idempotency-Key': 'x'.repeat(300) }), 400, 'invalid_idempotency_key'],
      ['missing API key', () => t.http.post('/api/v1/checkouts').send({ amount: 1 }), 401, 'missing_api_key'],
      ['malformed Authorization', () => t.http.post('/api/v1/checkouts').set('Authorization', 'Basic abc').send({ amount: 1 }), 401, 'malformed_authorization'],
      ['wrong API key', () => t.http.post('/api/v1/checkouts').set('Authorization', 'token lck_nope').send({ amount: 1 }), 401, 'invalid_api_key'],
      ['unknown checkout id', () => t.http.get('/api/v1/checkouts/does-not-exist').set(auth), 404, 'checkout_not_found'],
      ['bad list filter', () => t.http.get('/api/v1/checkouts?status=Paid').set(auth), 422, 'validation_failed'],
      ['bad page size', () => t.http.get('/api/v1/checkouts?limit=100000').set(auth), 422, 'validation_failed'],
      ['unknown route', () => t.http.get('/api/v1/nope').set(auth), 404, 'not_found'],
      ['an escape character in the order id', () => create({ amount: 1, orderId: 'ord\u001b[31m' }), 422, 'validation_failed'],
      ['a bell in the description', () => create({ amount: 1, description: 'ding\u0007' }), 422, 'validation_failed'],
      ['a line break in the order id', () => create({ amount: 1, orderId: 'a\r\nb' }), 422, 'validation_failed'],
      ['a right-to-left override in the description', () => create({ amount: 1, description: 'pay \u202Egnp.exe' }), 422, 'validation_failed'],
      ['a control character in the customer id', () => create({ amount: 1, customerId: 'c\u0001' }), 422, 'validation_failed'],
      ['an offset past 2^63', () => t.http.get('/api/v1/checkouts?offset=1e20').set(auth), 422, 'validation_failed'],
      [
        'a huge offset on the delivery log',
        () => t.http.get('/api/v1/webhooks/whk_none/deliveries?offset=99999999999999999999').set(auth),
        422,
        'validation_failed',
      ],
      // Under the 100 kB body limit; class-transformer used to overflow the stack on them (a 500).
      ['metadata nested 15,000 levels (objects)', () => raw(`{"amount":1,"metadata":${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}}`), 400, 'json_too_deep'],
      ['metadata nested 40,000 levels (arrays)', () => raw(`{"amount":1,"metadata":{"a":${'['.repeat(40_000)}${']'.repeat(40_000)}}}`), 400, 'json_too_deep'],
      [
        'Greenfield metadata nested 15,000 levels',
        () => greenfieldRaw(`{"amount":1,"metadata":${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}}`),
        400,
        'json_too_deep',
      ],
      // Found by bad-input-property.test.ts: class-transformer read `constructor: []` as a class (a 500);
      // then these keys were dropped silently (the merchant's metadata came back without them).
      ['metadata with a key named constructor', () => raw('{"amount":1,"metadata":{"constructor":[],"note":"x"}}'), 422, 'reserved_key'],
      ['metadata with a key named __proto__', () => raw('{"amount":1,"metadata":{"__proto__":{"admin":true}}}'), 422, 'reserved_key'],
      ['metadata with prototype nested deeper', () => raw('{"amount":1,"metadata":{"a":[{"prototype":1}]}}'), 422, 'reserved_key'],
      [
        'Greenfield metadata with a key named constructor',
        () => greenfieldRaw('{"amount":1,"metadata":{"constructor":[],"orderId":"gf-c"}}'),
        422,
        'reserved_key',
      ],
      [
        'Greenfield metadata with constructor nested deeper',
        () => greenfieldRaw('{"amount":1,"metadata":{"a":{"constructor":{"name":1}}}}'),
        422,
        'reserved_key',
      ],
      [
        'Greenfield metadata update with a key named constructor',
        () => greenfieldUpdate('{"metadata":{"constructor":1,"orderId":"gf-u"}}'),
        422,
        'reserved_key',
      ],
      [
        'a webhook body with a key named __proto__',
        () => t.http.post('/api/v1/webhooks').set(auth).set('Content-Type', 'application/json').send('{"url":"https://example.com/h","__proto__":{}}'),
        422,
        'reserved_key',
      ],
    ];
    it.each(cases)('%s', async (_name, send, status, code) => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status, code, type: expect.stringContaining(code), title: expect.any(String) });
    });

    it('keeps a metadata key that only looks like one (constructorName, proto)', async () => {
      const res = await raw('{"amount":1,"metadata":{"constructorName":"x","proto":1}}').expect(201);
      expect(res.body.metadata).toEqual({ constructorName: 'x', proto: 1 });
    });
  });

  const raw = (text: string) => t.http.post('/api/v1/checkouts').set(auth).set('Content-Type', 'application/json').send(text);
  const greenfieldRaw = (text: string) => t.http.post(`/api/v1/stores/${storeA}/invoices`).set(auth).set('Content-Type', 'application/json').send(text);
  async function greenfieldUpdate(text: string) {
    const invoice = await greenfieldRaw('{"amount":1}').expect(200);
    return t.http.put(`/api/v1/stores/${storeA}/invoices/${invoice.body.id}`).set(auth).set('Content-Type', 'application/json').send(text);
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
