import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { LightningService } from '../../src/lightning/lightning.service';
import { PluginEvents } from '../../src/plugins/plugin-events.service';
import { PluginOrderLink } from '../../src/plugins/plugin-order-link.entity';
import { eventually } from '../support/fake-platform-server';
import { startFakeWooCommerce, wooWebhookHeaders } from '../support/fake-woocommerce';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-db';
import { UnitOfWork } from '../../src/database/unit-of-work';

const CREDS = { consumerKey: 'ck_4c1f0b2e8a', consumerSecret: 'cs_9d7e6a5b4c' };
const WEBHOOK_SECRET = 'wc-webhook-secret-1';

describe('woocommerce plugin: order webhook → checkout → payment → order paid', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;
  let woo: Awaited<ReturnType<typeof startFakeWooCommerce>>;
  let storeId: string;
  let auth: { Authorization: string };

  const boot = async () => {
    t = await startTestApp({
      db,
      config: { plugins: { enabled: ['woocommerce'], woocommerce: { sites: [{ storeId, url: woo.url, ...CREDS, webhookSecret: WEBHOOK_SECRET }] } } },
    });
    // Fast retries; the loop still polls on its own timer, nothing here drives it.
    t.app.get(PluginEvents).retry = { baseMs: 100, maxMs: 300, maxAttempts: 30 };
    return t;
  };

  const orderBody = (id: number, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      number: String(id),
      status: 'pending',
      currency: 'USD',
      total: '12.50',
      payment_method: 'lightning',
      order_key: `wc_order_${id}abc`,
      customer_id: 7,
      billing: { email: 'a@b.c' },
      line_items: [],
      ...over,
    });

  const sendOrder = (id: number, over: Record<string, unknown> = {}, topic = 'order.created') => {
    const body = orderBody(id, over);
    return t!.http
      .post(`/plugins/woocommerce/webhook/${storeId}`)
      .set(wooWebhookHeaders(WEBHOOK_SECRET, body, topic))
      .send(body);
  };

  const checkoutsFor = async (orderId: number) => (await t!.http.get(`/api/v1/checkouts?orderId=${orderId}`).set(auth).expect(200)).body.items;

  beforeAll(async () => {
    db = await createTestDatabase();
    woo = await startFakeWooCommerce(CREDS);
    // The store must exist before the plugin config can name it: create it, then boot with the plugin.
    const first = await startTestApp({ db });
    const store = await first.createStore('Woo shop');
    await first.close();
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
    await boot();
  });

  afterAll(async () => {
    await t?.close();
    await woo?.close();
    await db?.drop();
  });

  it('answers the unsigned ping WooCommerce sends when the webhook is saved', async () => {
    const res = await t!.http.post(`/plugins/woocommerce/webhook/${storeId}`).type('form').send('webhook_id=12').expect(200);
    expect(res.body).toMatchObject({ ok: true });
  });

  it('refuses an unknown store', async () => {
    const res = await t!.http.post('/plugins/woocommerce/webhook/nope').type('form').send('webhook_id=1').expect(404);
    expect(res.body.code).toBe('store_not_configured');
  });

  it('creates one checkout for a pending Lightning order, however often the webhook repeats', async () => {
    woo.addOrder({ id: 101 });
    const res = await sendOrder(101).expect(200);
    expect(res.body).toMatchObject({ result: 'checkout', created: true });
    expect(res.body.checkoutLink).toMatch(new RegExp(`/i/${res.body.checkoutId}$`));
    const again = await sendOrder(101).expect(200);
    const updated = await sendOrder(101, {}, 'order.updated').expect(200);
    expect([again.body.checkoutId, updated.body.checkoutId]).toEqual([res.body.checkoutId, res.body.checkoutId]);
    expect(again.body.created).toBe(false);
    const items = await checkoutsFor(101);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: res.body.checkoutId, amount: '12.5', currency: 'USD', amountSats: 12500, orderId: '101', status: 'New' });
    expect(items[0].redirectUrl).toBe(`${woo.url}/checkout/order-received/101/?key=wc_order_101abc`);
    // The payment link reaches the customer as a customer note on the order.
    await eventually(() => woo.orders.get(101)!.notes.some((n) => n.customer_note && n.note.includes(`/i/${res.body.checkoutId}`)), 'the checkout link note');
  });

  it('rejects wrong signatures with 401 and creates nothing', async () => {
    woo.addOrder({ id: 102 });
    const body = orderBody(102);
    const tamperedBody = orderBody(102, { total: '0.01' });
    const wrongSecret = await t!.http.post(`/plugins/woocommerce/webhook/${storeId}`).set(wooWebhookHeaders('another-secret', body)).send(body).expect(401);
    expect(wrongSecret.body.code).toBe('invalid_signature');
    await t!.http.post(`/plugins/woocommerce/webhook/${storeId}`).set(wooWebhookHeaders(WEBHOOK_SECRET, body)).send(tamperedBody).expect(401);
    const { 'X-WC-Webhook-Signature': _, ...unsigned } = wooWebhookHeaders(WEBHOOK_SECRET, body);
    await t!.http.post(`/plugins/woocommerce/webhook/${storeId}`).set(unsigned).send(body).expect(401);
    expect(await checkoutsFor(102)).toHaveLength(0);
  });

  it('ignores orders paid another way or no longer pending, and answers 200 so WooCommerce keeps the webhook', async () => {
    expect((await sendOrder(103, { payment_method: 'bacs' }).expect(200)).body).toMatchObject({ result: 'ignored' });
    expect((await sendOrder(104, { status: 'processing' }).expect(200)).body).toMatchObject({ result: 'ignored' });
    expect((await sendOrder(105, {}, 'product.updated').expect(200)).body).toMatchObject({ result: 'ignored' });
    expect((await sendOrder(106, { currency: 'XYZ' }).expect(200)).body).toMatchObject({ result: 'rejected', code: 'unsupported_currency' });
    await sendOrder(107, { total: 'free' }).expect(422);
    for (const id of [103, 104, 105, 106, 107]) expect(await checkoutsFor(id)).toHaveLength(0);
  });

  it('marks the order paid over REST once the invoice is paid, retrying through platform errors', async () => {
    woo.addOrder({ id: 110 });
    const { body } = await sendOrder(110).expect(200);
    const checkout = (await t!.http.get(`/api/v1/checkouts/${body.checkoutId}`).set(auth).expect(200)).body;
    await eventually(() => woo.orders.get(110)!.notes.length > 0, 'the link note');
    woo.failNext(2);
    void t!.app.get(LightningService).simulatePayment(checkout.paymentHash);
    await eventually(() => woo.orders.get(110)!.status === 'processing', 'order 110 processing');
    const order = woo.orders.get(110)!;
    expect(order.transaction_id).toBe(checkout.paymentHash);
    expect(order.date_paid).not.toBeNull();
    const puts = woo.callsTo('PUT', '/orders/110');
    expect(puts.at(-1)!.body).toEqual({ status: 'processing', set_paid: true, transaction_id: checkout.paymentHash });
    expect(puts.at(-1)!.headers.authorization).toBe('Basic ' + Buffer.from(`${CREDS.consumerKey}:${CREDS.consumerSecret}`).toString('base64'));
    expect(woo.calls.filter((c) => c.status === 503)).toHaveLength(2);
  }, 30_000);

  it('serves a payment link keyed by the order key, creating the checkout from REST if the webhook never came', async () => {
    const linked = (await checkoutsFor(101))[0];
    const res = await t!.http.get(`/plugins/woocommerce/pay/${storeId}/101?key=wc_order_101abc`).expect(303);
    expect(res.headers.location).toBe(`/i/${linked.id}`);
    for (const bad of ['101?key=wrong', '101', '999?key=wc_order_999abc', 'abc?key=x']) {
      expect((await t!.http.get(`/plugins/woocommerce/pay/${storeId}/${bad}`).expect(404)).body.code).toBe('order_not_found');
    }
    woo.addOrder({ id: 140, total: '3.00' });
    await t!.http.get(`/plugins/woocommerce/pay/${storeId}/140?key=wrong`).expect(404);
    expect(await checkoutsFor(140)).toHaveLength(0);
    const created = await t!.http.get(`/plugins/woocommerce/pay/${storeId}/140?key=wc_order_140abc`).expect(303);
    const [checkout] = await checkoutsFor(140);
    expect(created.headers.location).toBe(`/i/${checkout.id}`);
    expect(checkout).toMatchObject({ amountSats: 3000, orderId: '140' });
    woo.addOrder({ id: 141, status: 'completed' });
    expect((await t!.http.get(`/plugins/woocommerce/pay/${storeId}/141?key=wc_order_141abc`).expect(409)).body.code).toBe('order_not_payable');
  });

  it('cancels the order when its invoice expires unpaid', async () => {
    woo.addOrder({ id: 120 });
    const { body } = await sendOrder(120).expect(200);
    expect(await t!.app.get(CheckoutTransitions).expire(body.checkoutId)).toBe(true);
    await eventually(() => woo.orders.get(120)!.status === 'cancelled', 'order 120 cancelled');
  });

  it('replaces the unpaid checkout when the merchant changes the order total, and pays the order through the new one', async () => {
    woo.addOrder({ id: 160 });
    const first = (await sendOrder(160).expect(200)).body;
    expect((await sendOrder(160, {}, 'order.updated').expect(200)).body.checkoutId).toBe(first.checkoutId);
    woo.orders.get(160)!.total = '15.00';
    const second = (await sendOrder(160, { total: '15.00' }, 'order.updated').expect(200)).body;
    expect(second).toMatchObject({ result: 'checkout', created: true });
    expect(second.checkoutId).not.toBe(first.checkoutId);
    expect((await t!.http.get(`/api/v1/checkouts/${first.checkoutId}`).set(auth).expect(200)).body.status).toBe('Invalid');
    const replacement = (await t!.http.get(`/api/v1/checkouts/${second.checkoutId}`).set(auth).expect(200)).body;
    expect(replacement).toMatchObject({ amountSats: 15000, status: 'New', orderId: '160' });
    expect((await t!.http.get(`/plugins/woocommerce/pay/${storeId}/160?key=wc_order_160abc`).expect(303)).headers.location).toBe(`/i/${second.checkoutId}`);
    // The replaced checkout's InvoiceInvalid must not cancel the order that is still being paid.
    await eventually(() => woo.orders.get(160)!.notes.some((n) => n.note.includes(second.checkoutId)), 'the new link note');
    void t!.app.get(LightningService).simulatePayment(replacement.paymentHash);
    await eventually(() => woo.orders.get(160)!.status === 'processing', 'order 160 processing');
    expect(woo.callsTo('PUT', '/orders/160').map((c) => (c.body as { status: string }).status)).toEqual(['processing']);
    // The old invoice paid too (its payer had the old link, and the payment beat the cancel to the
    // node; the dev node itself now refuses a canceled invoice): recorded on the order, which stays paid.
    const old = (await t!.http.get(`/api/v1/checkouts/${first.checkoutId}`).set(auth).expect(200)).body;
    await t!.app.get(CheckoutTransitions).applyPayment({ paymentHash: old.paymentHash, amountPaidSats: old.amountSats, settledAt: new Date() });
    await eventually(() => woo.orders.get(160)!.notes.some((n) => !n.customer_note && n.note.includes(old.paymentHash)), 'the note about the old invoice');
    expect(woo.orders.get(160)!.status).toBe('processing');
  });

  it('recovers a checkout whose link was never written (a crash) even after the order total changed', async () => {
    woo.addOrder({ id: 170 });
    await sendOrder(170).expect(200);
    // Simulate the crash between creating the checkout and linking it.
    await t!.app.get(UnitOfWork).run((m) => m.delete(PluginOrderLink, { plugin: 'woocommerce', orderId: '170' }));
    const res = await sendOrder(170, { total: '20.00' }, 'order.updated').expect(200);
    expect(res.body).toMatchObject({ result: 'checkout', created: true });
    const items = await checkoutsFor(170);
    expect(items.map((c: { amountSats: number; status: string }) => [c.amountSats, c.status]).sort()).toEqual([
      [12500, 'Invalid'],
      [20000, 'New'],
    ]);
    expect(items.find((c: { status: string }) => c.status === 'New').id).toBe(res.body.checkoutId);
  });

  it('closes the open checkout when the merchant cancels the order in WooCommerce', async () => {
    woo.addOrder({ id: 150 });
    const { body } = await sendOrder(150).expect(200);
    woo.orders.get(150)!.status = 'cancelled';
    const res = await sendOrder(150, { status: 'cancelled' }, 'order.updated').expect(200);
    expect(res.body.checkoutId).toBe(body.checkoutId);
    expect((await t!.http.get(`/api/v1/checkouts/${body.checkoutId}`).set(auth).expect(200)).body.status).toBe('Invalid');
    // The InvoiceInvalid event reads the order, sees it is no longer pending, and leaves it alone.
    await eventually(() => woo.callsTo('GET', '/orders/150').length > 0, 'the order read');
    expect(woo.callsTo('PUT', '/orders/150')).toHaveLength(0);

    woo.addOrder({ id: 151 });
    const deleted = (await sendOrder(151).expect(200)).body;
    const deletion = JSON.stringify({ id: 151 });
    const res2 = await t!.http
      .post(`/plugins/woocommerce/webhook/${storeId}`)
      .set(wooWebhookHeaders(WEBHOOK_SECRET, deletion, 'order.deleted'))
      .send(deletion)
      .expect(200);
    expect(res2.body).toMatchObject({ checkoutId: deleted.checkoutId, status: 'Invalid' });
  });

  it('never loses the "paid" update: the platform is down, the app stops, a new one finishes the job', async () => {
    woo.addOrder({ id: 130 });
    const { body } = await sendOrder(130).expect(200);
    const checkout = (await t!.http.get(`/api/v1/checkouts/${body.checkoutId}`).set(auth).expect(200)).body;
    woo.failNext(1_000_000);
    void t!.app.get(LightningService).simulatePayment(checkout.paymentHash);
    await eventually(
      async () => (await t!.app.get(PluginEvents).stats('woocommerce')).pending > 0 && woo.callsTo('PUT', '/orders/130').length > 0,
      'a failed attempt',
    );
    await t!.close();
    t = undefined;
    woo.failNext(0);
    expect(woo.orders.get(130)!.status).toBe('pending');
    await boot();
    await eventually(() => woo.orders.get(130)!.status === 'processing', 'order 130 processing after restart');
    expect(woo.orders.get(130)!.transaction_id).toBe(checkout.paymentHash);
  });
});
