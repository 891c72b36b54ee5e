import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { LightningService } from '../../src/lightning/lightning.service';
import { eventually, RecordedCall, startRecordingServer } from '../support/fake-platform-server';
import { startTestApp, TestApp } from '../support/test-app';

type Body = Record<string, unknown> & { type: string; invoiceId?: string };

/**
 * The order-status part of the BTCPay WooCommerce plugin's processOrderStatus (default mapping, no
 * protected orders), so the test can say which state a real shop would end in for the events we send.
 */
async function wooOrderStatus(events: Body[], invoiceIsFullyPaid: () => Promise<boolean>): Promise<string> {
  let status = 'pending';
  for (const e of events) {
    switch (e.type) {
      case 'InvoiceReceivedPayment':
        if (e.afterExpiration) status = 'Expired with partial payment';
        break;
      case 'InvoicePaymentSettled':
        if (status === 'Expired' || status === 'Expired with partial payment') {
          status = (await invoiceIsFullyPaid()) ? 'Expired (paid late)' : 'Expired with partial payment';
        }
        break;
      case 'InvoiceProcessing':
        status = 'processing';
        break;
      case 'InvoiceInvalid':
        status = 'failed';
        break;
      case 'InvoiceExpired':
        status = e.partiallyPaid ? 'Expired with partial payment' : 'Expired';
        break;
      case 'InvoiceSettled':
        status = e.overPaid ? 'processing (overpaid)' : 'processing (settled)';
        break;
    }
  }
  return status;
}

describe('greenfield plugin: BTCPay 2.x behaviour the real clients depend on', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startRecordingServer>>;
  let storeId: string;
  let auth: { Authorization: string };
  const base = () => `/api/v1/stores/${storeId}`;

  beforeAll(async () => {
    receiver = await startRecordingServer(() => ({ status: 200, body: {} }));
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    const store = await t.createStore('Woo shop');
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const createInvoice = async (body: Record<string, unknown>) => (await t.http.post(`${base()}/invoices`).set(auth).send(body).expect(200)).body;
  const hashOf = async (id: string) =>
    (await t.http.get(`${base()}/invoices/${id}/payment-methods`).set(auth).expect(200)).body[0].additionalData.paymentHash as string;
  const eventsFor = (path: string, invoiceId: string) =>
    receiver.calls.filter((c: RecordedCall) => c.path === path && (c.body as Body).invoiceId === invoiceId).map((c) => c.body as Body);
  const isFullyPaid = (id: string) => async () => {
    const invoice = (await t.http.get(`${base()}/invoices/${id}`).set(auth).expect(200)).body;
    // Result\Invoice::isSettled of the PHP client.
    return invoice.status === 'Settled' || invoice.additionalStatus === 'PaidLate';
  };

  it('a late payment sends InvoiceReceivedPayment and InvoicePaymentSettled with afterExpiration, so the shop ends in "Expired (paid late)"', async () => {
    await t.http
      .post(`${base()}/webhooks`)
      .set(auth)
      .send({ url: `${receiver.url}/late`, authorizedEvents: { everything: true } })
      .expect(200);
    const invoice = await createInvoice({ amount: '3000', currency: 'SATS', metadata: { orderId: 'late-1' } });
    const hash = await hashOf(invoice.id);
    await t.app.get(CheckoutTransitions).expire(invoice.id);
    await eventually(() => eventsFor('/late', invoice.id).some((e) => e.type === 'InvoiceExpired'), 'InvoiceExpired');
    void t.app.get(LightningService).simulatePayment(hash);
    await eventually(() => eventsFor('/late', invoice.id).some((e) => e.type === 'InvoicePaidAfterExpiration'), 'InvoicePaidAfterExpiration');
    const events = eventsFor('/late', invoice.id);
    expect(events.map((e) => e.type)).toEqual([
      'InvoiceCreated',
      'InvoiceExpired',
      'InvoiceReceivedPayment',
      'InvoicePaymentSettled',
      'InvoicePaidAfterExpiration',
    ]);
    for (const e of events.slice(2)) expect(e).toMatchObject({ afterExpiration: true, storeId, invoiceId: invoice.id, metadata: { orderId: 'late-1' } });
    expect(events[2]).toMatchObject({ paymentMethodId: 'BTC-LN', payment: { value: '0.00003000', status: 'Settled', id: hash } });
    expect(events[3]).toMatchObject({ paymentMethodId: 'BTC-LN', payment: { value: '0.00003000', status: 'Settled' } });
    expect(new Set(events.map((e) => e.deliveryId)).size).toBe(events.length);
    const view = (await t.http.get(`${base()}/invoices/${invoice.id}`).set(auth).expect(200)).body;
    expect(view).toMatchObject({ status: 'Expired', additionalStatus: 'PaidLate' });
    expect(await wooOrderStatus(events, isFullyPaid(invoice.id))).toBe('Expired (paid late)');
  });

  it('a Lightning settlement sends what BTCPay sends for one: ReceivedPayment, PaymentSettled, Processing, Settled', async () => {
    await t.http
      .post(`${base()}/webhooks`)
      .set(auth)
      .send({ url: `${receiver.url}/settle`, authorizedEvents: { everything: true } })
      .expect(200);
    const invoice = await createInvoice({ amount: '12.50', currency: 'USD', metadata: { orderId: 'ok-1' } });
    void t.app.get(LightningService).simulatePayment(await hashOf(invoice.id));
    await eventually(() => eventsFor('/settle', invoice.id).some((e) => e.type === 'InvoiceSettled'), 'InvoiceSettled');
    const events = eventsFor('/settle', invoice.id);
    expect(events.map((e) => e.type)).toEqual(['InvoiceCreated', 'InvoiceReceivedPayment', 'InvoicePaymentSettled', 'InvoiceProcessing', 'InvoiceSettled']);
    expect(events[1]).toMatchObject({ afterExpiration: false, paymentMethodId: 'BTC-LN', payment: { value: '0.00012500' } });
    expect(events[3]).toMatchObject({ overPaid: false });
    expect(events[4]).toMatchObject({ manuallyMarked: false, overPaid: false });
    expect(await wooOrderStatus(events, isFullyPaid(invoice.id))).toBe('processing (settled)');
  });

  it('sends only the BTCPay events a webhook asked for, and echoes the names it was given', async () => {
    const hook = (
      await t.http
        .post(`${base()}/webhooks`)
        .set(auth)
        .send({ url: `${receiver.url}/some`, authorizedEvents: { everything: false, specificEvents: ['InvoicePaymentSettled', 'InvoiceSettled'] } })
        .expect(200)
    ).body;
    expect(hook.authorizedEvents).toEqual({ everything: false, specificEvents: ['InvoicePaymentSettled', 'InvoiceSettled'] });
    const invoice = await createInvoice({ amount: 1500, currency: 'SATS' });
    void t.app.get(LightningService).simulatePayment(await hashOf(invoice.id));
    await eventually(() => eventsFor('/some', invoice.id).some((e) => e.type === 'InvoiceSettled'), 'InvoiceSettled');
    expect(eventsFor('/some', invoice.id).map((e) => e.type)).toEqual(['InvoicePaymentSettled', 'InvoiceSettled']);
  });

  it('names Lightning BTC-LN everywhere: server info, store payment methods, invoices', async () => {
    const info = (await t.http.get('/api/v1/server/info').set(auth).expect(200)).body;
    expect(info.supportedPaymentMethods).toEqual(['BTC-LN']);
    const methods = (await t.http.get(`${base()}/payment-methods`).set(auth).expect(200)).body;
    // The PHP client takes `paymentMethod` when present, else `paymentMethodId`; the plugin makes its gateway id from it.
    expect(methods.map((m: Record<string, unknown>) => m.paymentMethod ?? m.paymentMethodId)).toEqual(['BTC-LN']);
    const invoice = await createInvoice({ amount: 100, currency: 'SATS' });
    expect(invoice.checkout.paymentMethods).toEqual(['BTC-LN']);
    const [pm] = (await t.http.get(`${base()}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
    expect(pm.paymentMethod ?? pm.paymentMethodId).toBe('BTC-LN');
  });

  it('types every payment-method field the PHP client reads as a string, for SATS, BTC and fiat invoices', async () => {
    for (const [body, rate] of [
      [{ amount: 2100, currency: 'SATS' }, '100000000'],
      [{ amount: '0.0001', currency: 'BTC' }, '1'],
      [{ amount: '10', currency: 'USD' }, '100000'],
    ] as const) {
      const invoice = await createInvoice(body);
      const [pm] = (await t.http.get(`${base()}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
      for (const field of ['destination', 'rate', 'paymentMethodPaid', 'totalPaid', 'due', 'amount', 'paymentMethodFee', 'paymentMethodId', 'currency']) {
        expect([field, typeof pm[field]]).toEqual([field, 'string']);
      }
      expect(Number(pm.rate)).toBe(Number(rate));
      expect(pm.payments).toEqual([]);
    }
  });

  it('accepts a webhook update with the PHP client defaults (secret: null keeps the secret) and refuses hostile types with 422', async () => {
    const created = (
      await t.http
        .post(`${base()}/webhooks`)
        .set(auth)
        .send({ url: `${receiver.url}/upd`, authorizedEvents: { everything: true } })
        .expect(200)
    ).body;
    const updated = await t.http
      .put(`${base()}/webhooks/${created.id}`)
      .set(auth)
      .send({ enabled: true, automaticRedelivery: true, url: `${receiver.url}/upd2`, secret: null, authorizedEvents: { everything: true } })
      .expect(200);
    expect(updated.body).toMatchObject({ url: `${receiver.url}/upd2`, enabled: true });
    await t.http
      .put(`${base()}/webhooks/${created.id}`)
      .set(auth)
      .send({ enabled: null, url: null, automaticRedelivery: null, authorizedEvents: null, secret: null })
      .expect(200);
    // The secret is still the one given at creation: a delivery is signed with it.
    const invoice = await createInvoice({ amount: 100, currency: 'SATS' });
    const call = await eventually(() => receiver.calls.find((c) => c.path === '/upd2' && (c.body as Body).invoiceId === invoice.id), 'a delivery');
    const { createHmac } = await import('node:crypto');
    expect(call.headers['btcpay-sig']).toBe(`sha256=${createHmac('sha256', created.secret).update(call.raw).digest('hex')}`);
    for (const bad of [
      { secret: 42 },
      { secret: { a: 1 } },
      { url: 7 },
      { enabled: 'yes' },
      { authorizedEvents: 'all' },
      { authorizedEvents: { specificEvents: 'InvoiceSettled' } },
    ]) {
      const res = await t.http.put(`${base()}/webhooks/${created.id}`).set(auth).send(bad);
      expect([JSON.stringify(bad), res.status]).toEqual([JSON.stringify(bad), 422]);
    }
    const res = await t.http.put(`${base()}/webhooks/${created.id}`).set(auth).set('Content-Type', 'application/json').send('[1,2]');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('filters the invoice list by textSearch (order id, invoice id, metadata text) and the other filters the client sends', async () => {
    const a = await createInvoice({
      amount: 100,
      currency: 'SATS',
      metadata: { orderId: 'ts-alpha-17', buyerEmail: 'Carol@Example.com', itemDesc: 'Blue teapot' },
    });
    const b = await createInvoice({ amount: 100, currency: 'SATS', metadata: { orderId: 'ts-beta-18', itemDesc: '50% off mug' } });
    const search = async (text: string) =>
      (await t.http.get(`${base()}/invoices`).query({ textSearch: text }).set(auth).expect(200)).body.map((i: { id: string }) => i.id);
    expect(await search('ts-alpha-17')).toEqual([a.id]);
    expect(await search(b.id)).toEqual([b.id]);
    expect(await search('carol@example.com')).toEqual([a.id]);
    expect(await search('teapot')).toEqual([a.id]);
    expect(await search('50%')).toEqual([b.id]);
    expect(await search('ts-')).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(await search('no-such-thing-anywhere')).toEqual([]);
    const both = (await t.http.get(`${base()}/invoices?orderId=ts-alpha-17&orderId=ts-beta-18`).set(auth).expect(200)).body.map((i: { id: string }) => i.id);
    expect(both.sort()).toEqual([a.id, b.id].sort());
    const page = (await t.http.get(`${base()}/invoices?textSearch=ts-&take=1&skip=1`).set(auth).expect(200)).body;
    expect(page).toHaveLength(1);
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect((await t.http.get(`${base()}/invoices?textSearch=ts-&startDate=${future}`).set(auth).expect(200)).body).toEqual([]);
    expect((await t.http.get(`${base()}/invoices?textSearch=ts-&endDate=${future}`).set(auth).expect(200)).body).toHaveLength(2);
  });

  it('updates invoice metadata, archives and unarchives invoices', async () => {
    const inv = await createInvoice({ amount: 100, currency: 'SATS', metadata: { orderId: 'arch-1', itemDesc: 'Cup' } });
    const updated = (
      await t.http
        .put(`${base()}/invoices/${inv.id}`)
        .set(auth)
        .send({ metadata: { orderId: 'arch-1', itemDesc: 'Cup', note: 'gift wrap' } })
        .expect(200)
    ).body;
    expect(updated).toMatchObject({ id: inv.id, metadata: { orderId: 'arch-1', itemDesc: 'Cup', note: 'gift wrap' } });
    expect((await t.http.get(`${base()}/invoices/${inv.id}`).set(auth).expect(200)).body.metadata.note).toBe('gift wrap');
    expect((await t.http.put(`${base()}/invoices/${inv.id}`).set(auth).send({ metadata: 'x' }).expect(422)).body.code).toBe('validation_failed');
    await t.http.put(`${base()}/invoices/nope`).set(auth).send({ metadata: {} }).expect(404);

    await t.http.delete(`${base()}/invoices/${inv.id}`).set(auth).expect(200);
    expect((await t.http.get(`${base()}/invoices/${inv.id}`).set(auth).expect(200)).body.archived).toBe(true);
    expect((await t.http.get(`${base()}/invoices?orderId=arch-1`).set(auth).expect(200)).body).toEqual([]);
    expect((await t.http.get(`${base()}/invoices?orderId=arch-1&includeArchived=true`).set(auth).expect(200)).body.map((i: { id: string }) => i.id)).toEqual([
      inv.id,
    ]);
    const back = (await t.http.post(`${base()}/invoices/${inv.id}/unarchive`).set(auth).expect(200)).body;
    expect(back).toMatchObject({ id: inv.id, archived: false });
    expect((await t.http.get(`${base()}/invoices?orderId=arch-1`).set(auth).expect(200)).body.map((i: { id: string }) => i.id)).toEqual([inv.id]);
    await t.http.delete(`${base()}/invoices/nope`).set(auth).expect(404);
  });

  it('answers GET /api/v1/health without a key, and /invoices/{id} redirects to the hosted page', async () => {
    expect((await t.http.get('/api/v1/health').expect(200)).body).toEqual({ synchronized: true });
    const inv = await createInvoice({ amount: 100, currency: 'SATS' });
    const res = await t.http.get(`/invoices/${inv.id}`).expect(302);
    expect(res.headers.location).toBe(`/i/${inv.id}`);
  });

  it('reports a BTCPay 2.x version the plugin accepts, and its own version beside it', async () => {
    const info = (await t.http.get('/api/v1/server/info').set(auth).expect(200)).body;
    expect(info.version).toMatch(/^2\.\d+\.\d+$/);
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(info.lightningCheckoutVersion).toBe(version);
  });

  it('creates top-up invoices (no amount) and records what was actually paid', async () => {
    const inv = await createInvoice({ amount: null, currency: 'SATS', metadata: { orderId: 'tip-1' }, checkout: null });
    expect(inv).toMatchObject({ type: 'TopUp', amount: '0', status: 'New' });
    const [pm] = (await t.http.get(`${base()}/invoices/${inv.id}/payment-methods`).set(auth).expect(200)).body;
    expect(pm.destination).toMatch(/^lnbcrt1p/);
    void t.app.get(LightningService).simulatePayment(pm.additionalData.paymentHash, 4321);
    await eventually(async () => (await t.http.get(`${base()}/invoices/${inv.id}`).set(auth)).body.status === 'Settled', 'Settled');
    const paid = (await t.http.get(`${base()}/invoices/${inv.id}`).set(auth).expect(200)).body;
    expect(paid).toMatchObject({ type: 'TopUp', amount: '4321' });
    const [after] = (await t.http.get(`${base()}/invoices/${inv.id}/payment-methods`).set(auth).expect(200)).body;
    expect(after).toMatchObject({ totalPaid: '0.00004321', paymentMethodPaid: '0.00004321', due: '0.00000000' });
  });
});

describe('greenfield plugin: top-up invoices on a backend without amountless invoices', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] }, lightning: { backend: { amountlessInvoices: false } } } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses them with a 422 problem that says an amount is needed, and still takes invoices with an amount', async () => {
    const { storeId, apiKey } = await t.createStore('No top-ups');
    const auth = { Authorization: `token ${apiKey}` };
    const res = await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send({ amount: null, currency: 'SATS' }).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'amount_required' });
    await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send({ currency: 'USD' }).expect(422);
    await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send({ amount: 10, currency: 'SATS' }).expect(200);
  });
});
