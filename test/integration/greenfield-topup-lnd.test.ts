// A Greenfield top-up invoice (no amount) on a real LND node: an amountless BOLT11 that the customer
// pays with an amount of their choosing, recorded as what was actually paid.
import { ln, startNetwork, stopAll, waitFor, withTimeout, type Network } from '../harness';
import { startTestApp, type TestApp } from '../support/test-app';
import { lndBackend } from './lightning-support';

jest.setTimeout(10 * 60_000);

describe('greenfield top-up invoices on real LND', () => {
  let net: Network;
  let t: TestApp;
  let storeId: string;
  let auth: { Authorization: string };

  beforeAll(async () => {
    net = await startNetwork({ merchants: 1 });
    t = await startTestApp({
      config: { plugins: { enabled: ['greenfield'] }, lightning: { backend: lndBackend(net.merchants[0]), healthIntervalSeconds: 1 } },
    });
    const store = await t.createStore('Tip jar');
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
    await waitFor('the node to be able to issue', async () => (await t.http.get('/api/v1/health').expect(200)).body.synchronized === true, {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
  });

  afterAll(async () => {
    await t?.close();
    await stopAll();
  });

  it('issues an amountless invoice, and the invoice shows the amount the customer chose to pay', async () => {
    const invoice = (
      await t.http
        .post(`/api/v1/stores/${storeId}/invoices`)
        .set(auth)
        .send({ amount: null, currency: 'SATS', metadata: { orderId: 'tip-7' } })
        .expect(200)
    ).body;
    expect(invoice).toMatchObject({ type: 'TopUp', amount: '0', status: 'New' });
    const [method] = (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
    const decoded = await ln.decodePaymentRequest({ lnd: net.customer.lnd, request: method.destination });
    expect(decoded.tokens).toBe(0);

    await waitFor(
      'the customer to pay 7777 sats',
      async () =>
        (await withTimeout(ln.pay({ lnd: net.customer.lnd, request: method.destination, tokens: 7777, pathfinding_timeout: 15_000 }), 30_000, 'payment'))
          .is_confirmed,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const paid = await waitFor(
      'the invoice to be Settled',
      async () => {
        const body = (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}`).set(auth).expect(200)).body;
        return body.status === 'Settled' && body;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(paid).toMatchObject({ type: 'TopUp', amount: '7777', additionalStatus: 'None' });
    const [after] = (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
    expect(after).toMatchObject({ totalPaid: '0.00007777', paymentMethodPaid: '0.00007777', due: '0.00000000' });
  });
});
