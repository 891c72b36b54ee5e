import { CheckoutService } from '../../src/checkout/checkout.service';
import { LightningService } from '../../src/lightning/lightning.service';
import { eventually } from '../support/fake-platform-server';
import { startFakeWooCommerce, wooWebhookHeaders } from '../support/fake-woocommerce';
import { startTestApp, TestApp } from '../support/test-app';
import { createPostgresDatabase, TestDatabase } from '../support/test-db';

const CREDS = { consumerKey: 'ck_replicas', consumerSecret: 'cs_replicas' };
const SECRET = 'replica-webhook-secret';
const ORDERS = 12;

// Replicas share PostgreSQL (SQLite is the single-process embedded mode), so this suite always uses it.

describe('plugin events with two replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];
  let woo: Awaited<ReturnType<typeof startFakeWooCommerce>>;

  afterAll(async () => {
    for (const app of apps) await app.close();
    await woo?.close();
    await db?.drop();
  }, 30_000);

  it('marks every order paid by a single REST call, whichever replica saw the webhook and the payment', async () => {
    db = await createPostgresDatabase('lc_replicas');
    woo = await startFakeWooCommerce(CREDS);
    const first = await startTestApp({ db });
    const { storeId } = await first.createStore('Replicated shop');
    await first.close();
    const config = {
      plugins: { enabled: ['woocommerce'], woocommerce: { addCheckoutNote: false, sites: [{ storeId, url: woo.url, ...CREDS, webhookSecret: SECRET }] } },
    };
    apps.push(await startTestApp({ db, config }), await startTestApp({ db, config }));

    const orders: { id: number; paymentHash: string; replica: TestApp }[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const id = 900 + i;
      const replica = apps[i % 2]; // alternating, as a load balancer would
      woo.addOrder({ id, total: '1.00' });
      const body = JSON.stringify({ id, status: 'pending', currency: 'USD', total: '1.00', payment_method: 'lightning', order_key: `k${id}` });
      // Duplicate deliveries land on both replicas.
      const res = await replica.http.post(`/plugins/woocommerce/webhook/${storeId}`).set(wooWebhookHeaders(SECRET, body)).send(body).expect(200);
      const dup = await apps[(i + 1) % 2].http.post(`/plugins/woocommerce/webhook/${storeId}`).set(wooWebhookHeaders(SECRET, body)).send(body).expect(200);
      expect(dup.body.checkoutId).toBe(res.body.checkoutId);
      const checkout = await replica.app.get(CheckoutService).getPublic(res.body.checkoutId);
      orders.push({ id, paymentHash: checkout.paymentHash, replica });
    }
    const started = Date.now();
    // The dev backend is per process: the replica that issued an invoice is the one that sees it paid.
    for (const order of orders) void order.replica.app.get(LightningService).simulatePayment(order.paymentHash);
    await eventually(() => orders.every((o) => woo.orders.get(o.id)!.status === 'processing'), 'every order processing');
    const elapsed = Date.now() - started;
    for (const order of orders) expect(woo.callsTo('PUT', `/orders/${order.id}`)).toHaveLength(1);
    if (process.env.PLUGIN_BENCH) process.stdout.write(`[plugin-replicas] ${ORDERS} orders paid → all marked processing in ${elapsed} ms\n`);
  }, 180_000);
});
