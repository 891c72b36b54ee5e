import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { LightningService } from '../../src/lightning/lightning.service';
import { PluginEvents } from '../../src/plugins/plugin-events.service';
import { eventually } from '../support/fake-platform-server';
import { shopifyOrderWebhook, startFakeShopify } from '../support/fake-shopify';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-db';

const TOKEN = 'shpat_0123456789abcdef';
const APP_SECRET = 'shopify-app-client-secret';

describe('shopify plugin: orders/create → checkout → payment → orderMarkAsPaid', () => {
  let db: TestDatabase;
  let t: TestApp;
  let shopify: Awaited<ReturnType<typeof startFakeShopify>>;
  let storeId: string;
  let auth: { Authorization: string };

  const send = (webhook: { body: string; headers: Record<string, string> }) =>
    t.http.post(`/plugins/shopify/webhook/${storeId}`).set(webhook.headers).send(webhook.body);
  const checkoutsFor = async (orderId: number) => (await t.http.get(`/api/v1/checkouts?orderId=${orderId}`).set(auth).expect(200)).body.items;

  beforeAll(async () => {
    db = await createTestDatabase();
    shopify = await startFakeShopify(TOKEN);
    const first = await startTestApp({ db });
    const store = await first.createStore('Shopify shop');
    await first.close();
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
    t = await startTestApp({
      db,
      config: { plugins: { enabled: ['shopify'], shopify: { shops: [{ storeId, shop: shopify.url, accessToken: TOKEN, webhookSecret: APP_SECRET }] } } },
    });
    t.app.get(PluginEvents).retry = { baseMs: 100, maxMs: 300, maxAttempts: 30 };
  });

  afterAll(async () => {
    await t?.close();
    await shopify?.close();
    await db?.drop();
  });

  it('creates one checkout per order, even for redelivered events, and links the order to the hosted page', async () => {
    shopify.addOrder(5001);
    const webhook = shopifyOrderWebhook(APP_SECRET, { id: 5001, total_price: '20.00', currency: 'EUR' });
    const res = await send(webhook).expect(200);
    expect(res.body).toMatchObject({ result: 'checkout', created: true });
    // Shopify redelivers with the same X-Shopify-Event-Id; a new event for the same order is no different.
    expect((await send(webhook).expect(200)).body).toMatchObject({ checkoutId: res.body.checkoutId, created: false });
    expect((await send(shopifyOrderWebhook(APP_SECRET, { id: 5001, total_price: '20.00', currency: 'EUR' }, 'evt-other')).expect(200)).body.checkoutId).toBe(
      res.body.checkoutId,
    );
    const items = await checkoutsFor(5001);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ amountSats: 22000, currency: 'EUR', orderId: '5001', customerId: 'shopify-555' });
    const pay = await t.http.get(`/plugins/shopify/pay/${storeId}/5001`).expect(303);
    expect(pay.headers.location).toBe(`/i/${res.body.checkoutId}`);
    await t.http.get(`/plugins/shopify/pay/${storeId}/5999`).expect(404);
    await eventually(() => shopify.orders.get('gid://shopify/Order/5001')!.note?.includes(`/i/${res.body.checkoutId}`), 'the link in the order note');
  });

  it('answers 401 to a wrong or missing HMAC and creates nothing', async () => {
    const forged = shopifyOrderWebhook('not-the-app-secret', { id: 5002 });
    expect((await send(forged).expect(401)).body.code).toBe('invalid_signature');
    const genuine = shopifyOrderWebhook(APP_SECRET, { id: 5002 });
    await send({ headers: genuine.headers, body: genuine.body.replace('"20.00"', '"0.01"') }).expect(401);
    const { 'X-Shopify-Hmac-Sha256': _, ...unsigned } = genuine.headers;
    await send({ headers: unsigned, body: genuine.body }).expect(401);
    expect(await checkoutsFor(5002)).toHaveLength(0);
  });

  it('ignores orders paid with another gateway or already paid', async () => {
    expect((await send(shopifyOrderWebhook(APP_SECRET, { id: 5003, gateway: 'shopify_payments' })).expect(200)).body.result).toBe('ignored');
    expect((await send(shopifyOrderWebhook(APP_SECRET, { id: 5004, financial_status: 'paid' })).expect(200)).body.result).toBe('ignored');
    expect(await checkoutsFor(5003)).toHaveLength(0);
    expect(await checkoutsFor(5004)).toHaveLength(0);
  });

  it('marks the order paid through Admin GraphQL after the payment, through a 503, exactly as Shopify expects the call', async () => {
    const order = shopify.addOrder(5010);
    const { body } = await send(shopifyOrderWebhook(APP_SECRET, { id: 5010 })).expect(200);
    const checkout = (await t.http.get(`/api/v1/checkouts/${body.checkoutId}`).set(auth).expect(200)).body;
    await eventually(() => order.note !== null, 'the link note');
    shopify.failNext(1);
    void t.app.get(LightningService).simulatePayment(checkout.paymentHash);
    await eventually(() => order.displayFinancialStatus === 'PAID', 'order 5010 paid');
    const call = shopify.mutations('orderMarkAsPaid').at(-1)!;
    expect(call.headers['x-shopify-access-token']).toBe(TOKEN);
    expect(call.path).toBe('/admin/api/2025-10/graphql.json');
    expect((call.body as { variables: unknown }).variables).toEqual({ input: { id: 'gid://shopify/Order/5010' } });
    expect(shopify.calls.some((c) => c.status === 503)).toBe(true);
  });

  it('invalidates the open checkout when the order is cancelled in Shopify', async () => {
    shopify.addOrder(5040);
    const { body } = await send(shopifyOrderWebhook(APP_SECRET, { id: 5040 })).expect(200);
    const cancel = shopifyOrderWebhook(APP_SECRET, { id: 5040 });
    const res = await send({ body: cancel.body, headers: { ...cancel.headers, 'X-Shopify-Topic': 'orders/cancelled' } }).expect(200);
    expect(res.body).toMatchObject({ checkoutId: body.checkoutId, status: 'Invalid' });
    expect((await t.http.get(`/api/v1/checkouts/${body.checkoutId}`).set(auth).expect(200)).body.status).toBe('Invalid');
  });

  it('treats "already paid" userErrors as done, and notes an expired invoice without cancelling the order', async () => {
    const order = shopify.addOrder(5020);
    const { body } = await send(shopifyOrderWebhook(APP_SECRET, { id: 5020 })).expect(200);
    const checkout = (await t.http.get(`/api/v1/checkouts/${body.checkoutId}`).set(auth).expect(200)).body;
    order.displayFinancialStatus = 'PAID';
    void t.app.get(LightningService).simulatePayment(checkout.paymentHash);
    await eventually(() => shopify.mutations('orderMarkAsPaid').some((c) => JSON.stringify(c.body).includes('/5020')), 'the mark-as-paid attempt');
    await eventually(async () => (await t.app.get(PluginEvents).stats('shopify')).pending === 0, 'no pending deliveries');
    expect((await t.app.get(PluginEvents).stats('shopify')).failed).toBe(0);

    const expiring = shopify.addOrder(5030);
    const second = await send(shopifyOrderWebhook(APP_SECRET, { id: 5030 })).expect(200);
    await t.app.get(CheckoutTransitions).expire(second.body.checkoutId);
    await eventually(() => expiring.note?.includes('expired unpaid'), 'the expiry note');
    expect(expiring.displayFinancialStatus).toBe('PENDING');
  });
});
