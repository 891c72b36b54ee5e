import { createHmac } from 'node:crypto';
import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { LightningService } from '../../src/lightning/lightning.service';
import { eventually, RecordedCall, startRecordingServer } from '../support/fake-platform-server';
import { startTestApp, TestApp } from '../support/test-app';

type Body = { type: string; invoiceId: string; deliveryId: string };

/** BTCPay-format deliveries under many settlements at once: each once, in order, signed over the exact body. */
describe('review: BTCPay webhook sequence under concurrency', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startRecordingServer>>;
  let auth: { Authorization: string };
  let base: string;
  const secret = 'review-secret-0123456789';

  beforeAll(async () => {
    receiver = await startRecordingServer(() => ({ status: 200, body: {} }));
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    const store = await t.createStore('Sequence', ['btcpay.store.canmodifystoresettings']);
    auth = { Authorization: `token ${store.apiKey}` };
    base = `/api/v1/stores/${store.storeId}`;
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('20 settlements and 5 late payments at once: every invoice gets its events once, in BTCPay order, each signed', async () => {
    await t.http
      .post(`${base}/webhooks`)
      .set(auth)
      .send({ url: `${receiver.url}/seq`, secret, authorizedEvents: { everything: true } })
      .expect(200);
    const make = async (i: number) => {
      const invoice = (
        await t.http
          .post(`${base}/invoices`)
          .set(auth)
          .send({ amount: String(1000 + i), currency: 'SATS', metadata: { orderId: `ordre-${i}-ü€😀` } })
          .expect(200)
      ).body;
      const [method] = (await t.http.get(`${base}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
      return { id: invoice.id as string, hash: method.additionalData.paymentHash as string };
    };
    const onTime = await Promise.all(Array.from({ length: 20 }, (_, i) => make(i)));
    const late = await Promise.all(Array.from({ length: 5 }, (_, i) => make(100 + i)));
    const transitions = t.app.get(CheckoutTransitions);
    await Promise.all(late.map((inv) => transitions.expire(inv.id)));
    const lightning = t.app.get(LightningService);
    // Payments, late payments and a second report of the same payment, all at once.
    await Promise.all([...onTime, ...late, ...onTime.slice(0, 5)].map((inv) => Promise.resolve(lightning.simulatePayment(inv.hash)).catch(() => undefined)));

    const calls = () => receiver.calls.filter((c: RecordedCall) => c.path === '/seq');
    const typesOf = (id: string) =>
      calls()
        .map((c) => c.body as Body)
        .filter((b) => b.invoiceId === id)
        .map((b) => b.type);
    await eventually(
      () => [...onTime, ...late].every((inv) => typesOf(inv.id).includes(late.includes(inv) ? 'InvoicePaidAfterExpiration' : 'InvoiceSettled')),
      'all final events',
      60_000,
    );
    // Let anything duplicated arrive too.
    await new Promise((r) => setTimeout(r, 1500));

    for (const inv of onTime)
      expect([inv.id, typesOf(inv.id)]).toEqual([
        inv.id,
        ['InvoiceCreated', 'InvoiceReceivedPayment', 'InvoicePaymentSettled', 'InvoiceProcessing', 'InvoiceSettled'],
      ]);
    for (const inv of late) {
      expect([inv.id, typesOf(inv.id)]).toEqual([
        inv.id,
        ['InvoiceCreated', 'InvoiceExpired', 'InvoiceReceivedPayment', 'InvoicePaymentSettled', 'InvoicePaidAfterExpiration'],
      ]);
    }
    const ids = calls().map((c) => (c.body as Body).deliveryId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of calls()) {
      const expected = 'sha256=' + createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(c.raw, 'utf8')).digest('hex');
      expect(c.headers['btcpay-sig']).toBe(expected);
    }
  }, 120_000);

  it('a refused webhook update changes nothing: the secret is not rotated when the events or the new secret are refused', async () => {
    const old = 'old-secret-0123456789abcdef';
    const hook = (
      await t.http
        .post(`${base}/webhooks`)
        .set(auth)
        .send({ url: `${receiver.url}/atomic`, secret: old, authorizedEvents: { everything: true } })
        .expect(200)
    ).body;
    for (const body of [
      { secret: 'new-secret-0123456789abcdef', authorizedEvents: { everything: false, specificEvents: ['PayoutCreated'] } },
      { secret: 'new-secret-0123456789abcdef', url: 'ftp://127.0.0.1/x' },
      { secret: 'short', enabled: false },
    ]) {
      const res = await t.http.put(`${base}/webhooks/${hook.id}`).set(auth).send(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 422]);
    }
    const after = (await t.http.get(`${base}/webhooks/${hook.id}`).set(auth).expect(200)).body;
    expect(after).toMatchObject({ enabled: true, url: `${receiver.url}/atomic`, authorizedEvents: { everything: true } });
    const invoice = (await t.http.post(`${base}/invoices`).set(auth).send({ amount: '10', currency: 'SATS' }).expect(200)).body;
    const call = await eventually(() => receiver.calls.find((c) => c.path === '/atomic' && (c.body as Body).invoiceId === invoice.id), 'delivery');
    expect(call.headers['btcpay-sig']).toBe('sha256=' + createHmac('sha256', Buffer.from(old, 'utf8')).update(Buffer.from(call.raw, 'utf8')).digest('hex'));
    // A valid update with a new secret is applied whole.
    const fresh = 'new-secret-0123456789abcdef';
    await t.http
      .put(`${base}/webhooks/${hook.id}`)
      .set(auth)
      .send({ secret: fresh, url: `${receiver.url}/atomic2`, enabled: true, authorizedEvents: { everything: true } })
      .expect(200);
    const second = (await t.http.post(`${base}/invoices`).set(auth).send({ amount: '11', currency: 'SATS' }).expect(200)).body;
    const call2 = await eventually(() => receiver.calls.find((c) => c.path === '/atomic2' && (c.body as Body).invoiceId === second.id), 'delivery 2');
    expect(call2.headers['btcpay-sig']).toBe('sha256=' + createHmac('sha256', Buffer.from(fresh, 'utf8')).update(Buffer.from(call2.raw, 'utf8')).digest('hex'));
  });
});
