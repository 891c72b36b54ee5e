// A checkout's invoice on a real LND: its expiry is the node's own, and canceling the checkout
// cancels the invoice on the node (at once, or by reconciliation once an unreachable node is back).
import { DataSource } from 'typeorm';
import { Checkout as CheckoutRow } from '../../src/checkout/checkout.entity';
import { CheckoutEvent } from '../../src/checkout/checkout-event.entity';
import { ln, startNetwork, stopAll, waitFor, withTimeout, type LndNode, type Network } from '../harness';
import { startTestApp, type TestApp } from '../support/test-app';
import { lndBackend, shopClient } from './lightning-support';

jest.setTimeout(10 * 60_000);

describe('invoice expiry and cancel on real LND', () => {
  let net: Network;
  let merchant: LndNode;
  let t: TestApp;
  let shop: ReturnType<typeof shopClient>;
  let auth: { Authorization: string };

  beforeAll(async () => {
    net = await startNetwork({ merchants: 1 });
    merchant = net.merchants[0];
    t = await startTestApp({
      config: { lightning: { healthIntervalSeconds: 1, reconcileIntervalSeconds: 3600, backend: lndBackend(merchant, { timeoutMs: 1500 }) } },
    });
    const { apiKey } = await t.createStore();
    shop = shopClient(t, apiKey);
    auth = { Authorization: `token ${apiKey}` };
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await stopAll();
  });

  const create = async (amount: number, expirySeconds?: number) => {
    const res = await shop.create({ amount, ...(expirySeconds ? { expirySeconds } : {}) });
    expect(res.status).toBe(201);
    return res.body as typeof res.body & { expiresAt: string };
  };
  const cannotPay = async (bolt11: string) => {
    await expect(withTimeout(ln.pay({ lnd: net.customer.lnd, request: bolt11, pathfinding_timeout: 15_000 }), 60_000, 'payment attempt')).rejects.toBeDefined();
  };

  it('expiresAt is never before the expiry of the invoice as LND reports it (creation date + expiry)', async () => {
    for (const expirySeconds of [60, 900]) {
      const c = await create(1500, expirySeconds);
      const invoice = await ln.getInvoice({ lnd: merchant.lnd, id: c.paymentHash });
      // Same clock here: the node's whole-second date + expiry, or our clock after its reply + expiry (later by under a second plus the round trip).
      expect(new Date(c.expiresAt).getTime()).toBeGreaterThanOrEqual(new Date(invoice.expires_at).getTime());
      expect(new Date(c.expiresAt).getTime()).toBeLessThan(new Date(invoice.expires_at).getTime() + 60_000);
      expect(new Date(invoice.expires_at).getTime() - new Date(invoice.created_at).getTime()).toBe(expirySeconds * 1000);
    }
  });

  it('a canceled checkout’s invoice is canceled on the node: the customer node cannot pay it', async () => {
    const c = await create(2100);
    await t.http.post(`/api/v1/checkouts/${c.id}/cancel`).set(auth).expect(200);
    const invoice = await ln.getInvoice({ lnd: merchant.lnd, id: c.paymentHash });
    expect(invoice.is_canceled).toBe(true);
    await cannotPay(c.bolt11);
    expect(await shop.get(c.id)).toMatchObject({ status: 'Invalid', additionalStatus: 'None' });
    const row = await t.app.get(DataSource).getRepository(CheckoutRow).findOneByOrFail({ id: c.id });
    expect(row).toMatchObject({ invoiceCancelPending: false, amountPaidSats: null });
  });

  it('a cancel while the node is down is applied by reconciliation once it is back', async () => {
    const c = await create(2200);
    await merchant.kill('SIGKILL');
    // The checkout is canceled here at once; the node cannot be told yet.
    await t.http.post(`/api/v1/checkouts/${c.id}/cancel`).set(auth).timeout(30_000).expect(200);
    const repo = t.app.get(DataSource).getRepository(CheckoutRow);
    expect(await repo.findOneByOrFail({ id: c.id })).toMatchObject({ status: 'Invalid', invoiceCancelPending: true });

    await merchant.restart();
    await waitFor('reconciliation to cancel the invoice on the node', async () => !(await repo.findOneByOrFail({ id: c.id })).invoiceCancelPending, {
      timeoutMs: 180_000,
      intervalMs: 500,
    });
    const invoice = await ln.getInvoice({ lnd: merchant.lnd, id: c.paymentHash });
    expect(invoice.is_canceled).toBe(true);
    await cannotPay(c.bolt11);
    expect(await shop.get(c.id)).toMatchObject({ status: 'Invalid', additionalStatus: 'None' });
  });

  it('cancel racing a payment in flight: the checkout ends as the node decided, and money taken is recorded', async () => {
    const repo = t.app.get(DataSource).getRepository(CheckoutRow);
    const events = t.app.get(DataSource).getRepository(CheckoutEvent);
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await create(1000 + i);
      // The cancel is sent a little later each round, so some land before the HTLC and some after it.
      const payment = withTimeout(ln.pay({ lnd: net.customer.lnd, request: c.bolt11, pathfinding_timeout: 15_000 }), 60_000, 'payment').then(
        (p) => p.is_confirmed,
        () => false,
      );
      await new Promise((r) => setTimeout(r, i * 40));
      const cancel = await t.http.post(`/api/v1/checkouts/${c.id}/cancel`).set(auth).timeout(30_000);
      const customerPaid = await payment;
      await waitFor('the cancel to be settled with the node', async () => !(await repo.findOneByOrFail({ id: c.id })).invoiceCancelPending, {
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      const invoice = await ln.getInvoice({ lnd: merchant.lnd, id: c.paymentHash });
      expect(invoice.is_confirmed).toBe(customerPaid);
      const row = await repo.findOneByOrFail({ id: c.id });
      if (invoice.is_confirmed) {
        // Money taken: recorded with the amount the node received, whatever the status.
        await waitFor('the payment to be recorded', async () => (await repo.findOneByOrFail({ id: c.id })).amountPaidSats !== null, {
          timeoutMs: 30_000,
          intervalMs: 250,
        });
        const paid = await repo.findOneByOrFail({ id: c.id });
        expect(paid.amountPaidSats).toBe(invoice.received);
        expect([`${paid.status}/${paid.additionalStatus}`]).toEqual([cancel.status === 200 ? 'Invalid/PaidLate' : 'Settled/None']);
      } else {
        expect(invoice.is_canceled).toBe(true);
        expect(cancel.status).toBe(200);
        expect(row).toMatchObject({ status: 'Invalid', additionalStatus: 'None', amountPaidSats: null });
      }
      const terminal = await events.count({ where: { checkoutId: c.id } });
      // InvoiceCreated plus one terminal event, plus InvoicePaidAfterExpiration when a canceled one was paid.
      expect(terminal).toBe(invoice.is_confirmed && cancel.status === 200 ? 3 : 2);
      outcomes.push(`${row.status}/${invoice.is_confirmed ? 'paid' : 'canceled'}`);
    }
    console.log('cancel vs payment outcomes', outcomes.join(' '));
  });
});
