import { createHmac } from 'node:crypto';
import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { LightningService } from '../../src/lightning/lightning.service';
import { eventually, startRecordingServer } from '../support/fake-platform-server';
import { startTestApp, TestApp } from '../support/test-app';
import { StoresService } from '../../src/stores/stores.service';

describe('greenfield plugin: a BTCPay Greenfield-compatible API', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startRecordingServer>>;
  let storeId: string;
  let apiKey: string;
  let auth: { Authorization: string };
  let other: { storeId: string; apiKey: string };

  const btcpayInvoice = (orderId: string, over: Record<string, unknown> = {}) => ({
    amount: '12.50',
    currency: 'USD',
    metadata: { orderId, itemDesc: 'Mug', buyerEmail: 'buyer@example.com', orderUrl: 'https://shop.example/order/1' },
    checkout: {
      speedPolicy: 'HighSpeed',
      paymentMethods: ['BTC-LN'],
      expirationMinutes: 30,
      redirectURL: 'https://shop.example/thanks',
      redirectAutomatically: true,
      defaultLanguage: 'en',
    },
    // A field newer BTCPay versions know and we do not: ignored, as BTCPay ignores unknown fields.
    someFutureOption: true,
    ...over,
  });

  beforeAll(async () => {
    receiver = await startRecordingServer(() => ({ status: 200, body: {} }));
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    ({ storeId, apiKey } = await t.createStore('BTCPay-style shop'));
    auth = { Authorization: `token ${apiKey}` };
    other = await t.createStore('Someone else');
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('answers the calls a BTCPay shop plugin makes while connecting', async () => {
    const info = await t.http.get('/api/v1/server/info').set(auth).expect(200);
    expect(info.body).toMatchObject({ fullySynched: true, supportedPaymentMethods: expect.arrayContaining(['BTC-LN']) });
    await t.http.get('/api/v1/server/info').expect(401);
    const key = await t.http.get('/api/v1/api-keys/current').set(auth).expect(200);
    expect(key.body.apiKey).toBe(apiKey);
    expect(key.body.permissions).toEqual(
      expect.arrayContaining([`btcpay.store.cancreateinvoice:${storeId}`, `btcpay.store.webhooks.canmodifywebhooks:${storeId}`]),
    );
    expect((await t.http.get('/api/v1/stores').set(auth).expect(200)).body).toEqual([expect.objectContaining({ id: storeId, name: 'BTCPay-style shop' })]);
    expect((await t.http.get(`/api/v1/stores/${storeId}`).set(auth).expect(200)).body).toMatchObject({
      id: storeId,
      defaultCurrency: 'SATS',
      invoiceExpiration: 900,
    });
    expect((await t.http.get(`/api/v1/stores/${storeId}/payment-methods`).set(auth).expect(200)).body[0]).toMatchObject({
      paymentMethodId: 'BTC-LN',
      enabled: true,
    });
  });

  it("gives the store's logo as BTCPay 2.x (logoUrl) and 1.x (customLogo) name it", async () => {
    const logo = 'https://cdn.shop.example/logo.png';
    const { store, key } = await t.app.get(StoresService).createStore('Shop with a logo', null, 'default', undefined, '0', logo);
    const view = (
      await t.http
        .get(`/api/v1/stores/${store.id}`)
        .set({ Authorization: `token ${key}` })
        .expect(200)
    ).body;
    expect(view).toMatchObject({ logoUrl: logo, customLogo: logo });
    expect((await t.http.get(`/api/v1/stores/${storeId}`).set(auth).expect(200)).body).toMatchObject({ logoUrl: null, customLogo: null });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = await t.http.get('/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/stores/{storeId}/invoices', '/api/v1/stores/{storeId}/webhooks/{webhookId}', '/api/v1/server/info']),
    );
  });

  it("refuses another store's id with 403, whatever the route", async () => {
    const otherAuth = { Authorization: `token ${other.apiKey}` };
    expect((await t.http.get(`/api/v1/stores/${storeId}`).set(otherAuth).expect(403)).body.code).toBe('store_forbidden');
    await t.http.get(`/api/v1/stores/${storeId}/invoices`).set(otherAuth).expect(403);
    await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(otherAuth).send(btcpayInvoice('x')).expect(403);
    await t.http.get(`/api/v1/stores/${storeId}/webhooks`).set(otherAuth).expect(403);
  });

  it('creates, gets and lists invoices with BTCPay field names, then reports them Settled after payment', async () => {
    const created = await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send(btcpayInvoice('wc-77')).expect(200);
    const invoice = created.body;
    expect(invoice).toMatchObject({
      storeId,
      amount: '12.5',
      currency: 'USD',
      type: 'Standard',
      status: 'New',
      additionalStatus: 'None',
      metadata: { orderId: 'wc-77', itemDesc: 'Mug', buyerEmail: 'buyer@example.com' },
      checkout: { redirectURL: 'https://shop.example/thanks', expirationMinutes: 30, paymentMethods: ['BTC-LN'] },
      availableStatusesForManualMarking: ['Invalid'],
    });
    expect(invoice.checkoutLink).toMatch(new RegExp(`/i/${invoice.id}$`));
    expect(Number.isInteger(invoice.createdTime)).toBe(true);
    expect(invoice.expirationTime - invoice.createdTime).toBe(1800);

    expect((await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}`).set(auth).expect(200)).body.id).toBe(invoice.id);
    const byOrder = await t.http.get(`/api/v1/stores/${storeId}/invoices?orderId=wc-77`).set(auth).expect(200);
    expect(byOrder.body.map((i: { id: string }) => i.id)).toEqual([invoice.id]);
    expect((await t.http.get(`/api/v1/stores/${storeId}/invoices?status=Settled&status=Expired`).set(auth).expect(200)).body).toEqual([]);
    expect((await t.http.get(`/api/v1/stores/${storeId}/invoices?status=Processing`).set(auth).expect(200)).body).toEqual([]);
    expect((await t.http.get(`/api/v1/stores/${storeId}/invoices?take=1&skip=0&status=New`).set(auth).expect(200)).body).toHaveLength(1);
    expect((await t.http.get(`/api/v1/stores/${storeId}/invoices?take=0`).set(auth).expect(422)).body.code).toBe('validation_failed');
    await t.http
      .get(`/api/v1/stores/${other.storeId}/invoices/${invoice.id}`)
      .set({ Authorization: `token ${other.apiKey}` })
      .expect(404);

    const [method] = (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
    expect(method).toMatchObject({ paymentMethodId: 'BTC-LN', amount: '0.00012500', due: '0.00012500', rate: '100000.00000000' });
    expect(method.destination).toMatch(/^lnbcrt/);

    void t.app.get(LightningService).simulatePayment(method.additionalData.paymentHash);
    await eventually(async () => (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}`).set(auth)).body.status === 'Settled', 'Settled');
    const settled = await t.http.get(`/api/v1/stores/${storeId}/invoices?status=Settled`).set(auth).expect(200);
    expect(settled.body.map((i: { id: string }) => i.id)).toEqual([invoice.id]);
    const [paid] = (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
    expect(paid).toMatchObject({ totalPaid: '0.00012500', due: '0.00000000' });
  });

  it('maps expiry, late payment and manual invalidation onto BTCPay statuses', async () => {
    // A BTCPay-style receiver (created through Greenfield) and one on our own API, both for everything.
    const btcpayHook = (
      await t.http
        .post(`/api/v1/stores/${storeId}/webhooks`)
        .set(auth)
        .send({ url: `${receiver.url}/late-btcpay`, authorizedEvents: { everything: true } })
        .expect(200)
    ).body;
    const nativeHook = (
      await t.http
        .post('/api/v1/webhooks')
        .set(auth)
        .send({ url: `${receiver.url}/late-native` })
        .expect(201)
    ).body;
    expect(nativeHook.format).toBe('standard');
    const a = (await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send({ amount: 1000, currency: 'SATS' }).expect(200)).body;
    const marked = await t.http.post(`/api/v1/stores/${storeId}/invoices/${a.id}/status`).set(auth).send({ status: 'Invalid' }).expect(200);
    expect(marked.body).toMatchObject({ status: 'Invalid', additionalStatus: 'Marked', availableStatusesForManualMarking: [] });
    expect((await t.http.post(`/api/v1/stores/${storeId}/invoices/${a.id}/status`).set(auth).send({ status: 'Settled' }).expect(422)).body.code).toBe(
      'unsupported_status',
    );

    const b = (await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send({ amount: 2000, currency: 'SATS' }).expect(200)).body;
    const [method] = (await t.http.get(`/api/v1/stores/${storeId}/invoices/${b.id}/payment-methods`).set(auth).expect(200)).body;
    await t.app.get(CheckoutTransitions).expire(b.id);
    expect((await t.http.get(`/api/v1/stores/${storeId}/invoices/${b.id}`).set(auth).expect(200)).body).toMatchObject({
      status: 'Expired',
      additionalStatus: 'None',
    });
    void t.app.get(LightningService).simulatePayment(method.additionalData.paymentHash);
    await eventually(async () => (await t.http.get(`/api/v1/stores/${storeId}/invoices/${b.id}`).set(auth)).body.additionalStatus === 'PaidLate', 'PaidLate');

    // BTCPay reports a late payment as InvoiceReceivedPayment with afterExpiration; our own format names it.
    const lateFor = (path: string) => () =>
      receiver.calls.find(
        (c) =>
          c.path === path &&
          (c.body as { invoiceId?: string })?.invoiceId === b.id &&
          (c.body as { type: string }).type !== 'InvoiceCreated' &&
          (c.body as { type: string }).type !== 'InvoiceExpired',
      );
    const btcpayLate = await eventually(lateFor('/late-btcpay'), 'the BTCPay-format late-payment delivery');
    expect(btcpayLate.body).toMatchObject({
      type: 'InvoiceReceivedPayment',
      afterExpiration: true,
      webhookId: btcpayHook.id,
      payment: { value: '0.00002000', status: 'Settled' },
    });
    const nativeLate = await eventually(lateFor('/late-native'), 'the standard-format late-payment delivery');
    expect(nativeLate.body).toMatchObject({ type: 'InvoicePaidAfterExpiration', webhookId: nativeHook.id });
    expect(nativeLate.body).not.toHaveProperty('afterExpiration');
    const invalid = await eventually(
      () =>
        receiver.calls.find(
          (c) => c.path === '/late-btcpay' && (c.body as { invoiceId?: string })?.invoiceId === a.id && (c.body as { type: string }).type === 'InvoiceInvalid',
        ),
      'the InvoiceInvalid delivery',
    );
    expect(invalid.body).toMatchObject({ manuallyMarked: true });
    await t.http.delete(`/api/v1/stores/${storeId}/webhooks/${btcpayHook.id}`).set(auth).expect(200);
    await t.http.delete(`/api/v1/webhooks/${nativeHook.id}`).set(auth).expect(204);
  });

  it('finds an invoice by an orderId sent as a number, and keeps a non-scalar orderId as its JSON text (not [object Object])', async () => {
    const numeric = await t.http
      .post(`/api/v1/stores/${storeId}/invoices`)
      .set(auth)
      .send({ ...btcpayInvoice('x'), metadata: { orderId: 4242 } })
      .expect(200);
    const byNumber = await t.http.get(`/api/v1/stores/${storeId}/invoices?orderId=4242`).set(auth).expect(200);
    expect(byNumber.body.map((i: { id: string }) => i.id)).toEqual([numeric.body.id]);
    const odd = await t.http
      .post(`/api/v1/stores/${storeId}/invoices`)
      .set(auth)
      .send({ ...btcpayInvoice('x'), metadata: { orderId: { wc: 7 } } })
      .expect(200);
    const byJson = await t.http.get(`/api/v1/stores/${storeId}/invoices`).query({ orderId: '{"wc":7}' }).set(auth).expect(200);
    expect(byJson.body.map((i: { id: string }) => i.id)).toEqual([odd.body.id]);
    expect((await t.http.get(`/api/v1/stores/${storeId}/invoices`).query({ orderId: '[object Object]' }).set(auth).expect(200)).body).toEqual([]);
  });

  it('answers bad invoice bodies with a 422 problem', async () => {
    // No amount at all is a top-up invoice (see plugin-greenfield-btcpay2.test.ts); a zero amount is not.
    for (const body of [
      { amount: 0 },
      { amount: '0.000' },
      { amount: 'ten' },
      { amount: 5, currency: 'SATS', checkout: { redirectURL: 'javascript:alert(1)' } },
      { amount: 5, checkout: { expirationMinutes: 0 } },
    ]) {
      const res = await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send(body).expect(422);
      expect(res.body.code).toBe('validation_failed');
    }
    expect((await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send({ amount: 1, currency: 'XYZ' }).expect(422)).body.code).toBe(
      'unsupported_currency',
    );
  });

  it('manages webhooks with BTCPay field names and delivers BTCPay-shaped, BTCPay-Sig signed events', async () => {
    const created = await t.http
      .post(`/api/v1/stores/${storeId}/webhooks`)
      .set(auth)
      .send({
        url: `${receiver.url}/btcpay`,
        enabled: true,
        automaticRedelivery: true,
        authorizedEvents: { everything: false, specificEvents: ['InvoiceSettled', 'InvoiceProcessing'] },
      })
      .expect(200);
    expect(created.body).toMatchObject({
      enabled: true,
      automaticRedelivery: true,
      url: `${receiver.url}/btcpay`,
      authorizedEvents: { everything: false, specificEvents: ['InvoiceSettled', 'InvoiceProcessing'] },
    });
    const { id: webhookId, secret } = created.body;
    expect(typeof secret).toBe('string');
    expect((await t.http.get(`/api/v1/stores/${storeId}/webhooks`).set(auth).expect(200)).body).toEqual([expect.objectContaining({ id: webhookId })]);
    expect((await t.http.get(`/api/v1/stores/${storeId}/webhooks/${webhookId}`).set(auth).expect(200)).body).not.toHaveProperty('secret');

    const invoice = (await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth).send(btcpayInvoice('wc-88')).expect(200)).body;
    const [method] = (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
    void t.app.get(LightningService).simulatePayment(method.additionalData.paymentHash);
    const delivery = await eventually(
      () => receiver.calls.find((c) => (c.body as { invoiceId?: string })?.invoiceId === invoice.id && (c.body as { type?: string }).type === 'InvoiceSettled'),
      'the InvoiceSettled delivery',
    );
    // BTCPay sends InvoiceProcessing just before InvoiceSettled for a Lightning payment; this webhook asked for both.
    expect(
      receiver.calls
        .filter((c) => c.path === '/btcpay' && (c.body as { invoiceId?: string })?.invoiceId === invoice.id)
        .map((c) => (c.body as { type: string }).type),
    ).toEqual(['InvoiceProcessing', 'InvoiceSettled']);
    expect(delivery.body).toMatchObject({
      type: 'InvoiceSettled',
      storeId,
      invoiceId: invoice.id,
      webhookId,
      isRedelivery: false,
      metadata: expect.objectContaining({ orderId: 'wc-88' }),
    });
    expect(typeof (delivery.body as { deliveryId: string }).deliveryId).toBe('string');
    expect(typeof (delivery.body as { timestamp: number }).timestamp).toBe('number');
    expect(delivery.headers['btcpay-sig']).toBe(`sha256=${createHmac('sha256', secret).update(delivery.raw).digest('hex')}`);
    // Only InvoiceSettled was asked for: no InvoiceCreated delivery.
    expect(receiver.calls.filter((c) => c.path === '/btcpay' && (c.body as { type?: string })?.type === 'InvoiceCreated')).toHaveLength(0);

    const deliveries = await eventually(async () => {
      const list = (await t.http.get(`/api/v1/stores/${storeId}/webhooks/${webhookId}/deliveries`).set(auth).expect(200)).body;
      return list.length > 0 && list[0].status === 'HttpSuccess' ? list : null;
    }, 'the delivery log');
    const redelivered = await t.http.post(`/api/v1/stores/${storeId}/webhooks/${webhookId}/deliveries/${deliveries[0].id}/redeliver`).set(auth).expect(200);
    expect(typeof redelivered.body).toBe('string');
    await eventually(
      () =>
        receiver.calls.some(
          (c) =>
            (c.body as { isRedelivery?: boolean; invoiceId?: string })?.isRedelivery === true && (c.body as { invoiceId: string }).invoiceId === invoice.id,
        ),
      'the redelivery',
    );

    const updated = await t.http
      .put(`/api/v1/stores/${storeId}/webhooks/${webhookId}`)
      .set(auth)
      .send({ url: `${receiver.url}/btcpay2`, enabled: false, authorizedEvents: { everything: true } })
      .expect(200);
    expect(updated.body).toMatchObject({ enabled: false, url: `${receiver.url}/btcpay2`, authorizedEvents: { everything: true, specificEvents: [] } });
    const none = await t.http
      .post(`/api/v1/stores/${storeId}/webhooks`)
      .set(auth)
      .send({ url: `${receiver.url}/x`, authorizedEvents: { everything: false, specificEvents: ['PayoutCreated'] } })
      .expect(422);
    expect(none.body.code).toBe('no_supported_events');
    await t.http.delete(`/api/v1/stores/${storeId}/webhooks/${webhookId}`).set(auth).expect(200);
    await t.http.get(`/api/v1/stores/${storeId}/webhooks/${webhookId}`).set(auth).expect(404);
  });
});
