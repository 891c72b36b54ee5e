import { DataSource } from 'typeorm';
import { CheckoutEvent } from '../../src/checkout/checkout-event.entity';
import { startTestApp, TestApp } from '../support/test-app';

// The create path answers from what it inserted (no read-back) and authenticates from a short-lived
// cache: these prove both are invisible to clients.
describe('checkout create path', () => {
  let t: TestApp;
  let apiKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    apiKey = (await t.createStore('Create path shop')).apiKey;
  });
  afterAll(() => t?.close());

  const auth = (key = apiKey) => ({ Authorization: `token ${key}` });

  it('answers with exactly what a later read, the list and an idempotent replay return', async () => {
    const body = {
      amount: '12.5',
      currency: 'eur',
      orderId: 'o-read-back',
      customerId: 'cust-7',
      description: 'Two coffees ☕',
      redirectUrl: 'https://shop.example/thanks',
      expirySeconds: 600,
      metadata: { cart: [{ sku: 'A-1', qty: 2, price: 6.25 }], note: null, nested: { deep: { ok: true } } },
    };
    const created = await t.http
      .post('/api/v1/checkouts')
      .set({ ...auth(), 'Idempotency-Key': 'read-back-1' })
      .send(body)
      .expect(201);
    const got = await t.http.get(`/api/v1/checkouts/${created.body.id}`).set(auth()).expect(200);
    expect(got.body).toEqual(created.body);
    const listed = await t.http.get('/api/v1/checkouts?orderId=o-read-back').set(auth()).expect(200);
    expect(listed.body.items).toEqual([created.body]);
    const replay = await t.http
      .post('/api/v1/checkouts')
      .set({ ...auth(), 'Idempotency-Key': 'read-back-1' })
      .send(body)
      .expect(200);
    expect(replay.body).toEqual(created.body);

    expect(created.body).toMatchObject({
      currency: 'EUR',
      amount: '12.5',
      rate: '1100',
      amountSats: 13750,
      status: 'New',
      settledAt: null,
      amountPaidSats: null,
    });
    const createdAt = Date.parse(created.body.createdAt);
    expect(Math.abs(createdAt - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(created.body.expiresAt) - createdAt).toBeGreaterThan(590_000);
  });

  it('writes one InvoiceCreated outbox event carrying the checkout as answered', async () => {
    const created = await t.http
      .post('/api/v1/checkouts')
      .set(auth())
      .send({ amount: 777, metadata: { a: 1 } })
      .expect(201);
    const events = await t.app
      .get(DataSource)
      .getRepository(CheckoutEvent)
      .find({ where: { checkoutId: created.body.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'InvoiceCreated', storeId: created.body.storeId });
    expect(typeof events[0].seq).toBe('number');
    expect(events[0].createdAt).toBeInstanceOf(Date);
    expect(events[0].payload).toEqual({ checkout: created.body });
  });

  it('accepts a new key at once and refuses a revoked one at once, even right after using it', async () => {
    const owner = ['btcpay.store.canmodifystoresettings'];
    const { apiKey: first } = await t.createStore('Key rotation shop', owner);
    await t.http.get('/api/v1/store').set(auth(first)).expect(200);
    await t.http.post('/api/v1/checkouts').set(auth(first)).send({ amount: 10 }).expect(201);

    const second = await t.http.post('/api/v1/api-keys').set(auth(first)).send({ label: 'rotated', permissions: owner }).expect(201);
    await t.http.get('/api/v1/store').set(auth(second.body.key)).expect(200);

    const keys = await t.http.get('/api/v1/api-keys').set(auth(second.body.key)).expect(200);
    const firstId = keys.body.find((k: { label: string }) => k.label === 'default').id;
    await t.http.delete(`/api/v1/api-keys/${firstId}`).set(auth(second.body.key)).expect(204);

    for (const send of [() => t.http.get('/api/v1/store'), () => t.http.post('/api/v1/checkouts').send({ amount: 10 })]) {
      const res = await send().set(auth(first));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_api_key');
    }
    await t.http.post('/api/v1/checkouts').set(auth(second.body.key)).send({ amount: 10 }).expect(201);
  });

  it('authenticates each key to its own store, and refuses an unknown key every time', async () => {
    const other = await t.createStore('Other shop');
    const mine = await t.http.get('/api/v1/store').set(auth()).expect(200);
    const theirs = await t.http.get('/api/v1/store').set(auth(other.apiKey)).expect(200);
    expect(theirs.body.id).toBe(other.storeId);
    expect(mine.body.id).not.toBe(other.storeId);
    for (let i = 0; i < 2; i++) {
      const res = await t.http.get('/api/v1/store').set(auth(`${apiKey}x`));
      expect(res.status).toBe(401);
    }
  });
});
