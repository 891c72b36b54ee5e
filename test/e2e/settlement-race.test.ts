import { DataSource, In } from 'typeorm';
import { CheckoutEvent } from '../../src/checkout/checkout-event.entity';
import { Checkout } from '../../src/checkout/checkout.entity';
import { AdditionalStatus, CheckoutEventType, CheckoutStatus } from '../../src/checkout/checkout-status';
import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { LightningService } from '../../src/lightning/lightning.service';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A payment, the expiry sweep and a merchant's cancel hitting one checkout at the same moment, 200
 * times: each checkout ends with exactly one terminal event, and money the node took is always on
 * record (Settled, or PaidLate with its event), never an Expired or Invalid checkout that silently
 * kept it. A cancel that reaches the node first makes the payment fail there instead.
 */
jest.setTimeout(300_000);

const TERMINAL = [CheckoutEventType.InvoiceSettled, CheckoutEventType.InvoiceExpired, CheckoutEventType.InvoiceInvalid];

describe('settlement racing expiry and cancel', () => {
  let t: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    auth = { Authorization: `token ${(await t.createStore()).apiKey}` };
  });
  afterAll(() => t?.close());

  it('200 races: one terminal event per checkout, and no payment lost', async () => {
    const lightning = t.app.get(LightningService);
    const transitions = t.app.get(CheckoutTransitions);
    const ids: string[] = [];
    const outcomes = { settled: 0, paidLate: 0, refusedByNode: 0 };

    const race = async (i: number) => {
      const c = (
        await t.http
          .post('/api/v1/checkouts')
          .set(auth)
          .send({ amount: 500 + i })
          .expect(201)
      ).body as { id: string; paymentHash: string; nodeName: string };
      ids.push(c.id);
      const pay = async () => {
        try {
          // As the node's stream would: the settlement the node stored, applied by the server.
          await transitions.applyPayment(await lightning.simulatePayment(c.paymentHash));
        } catch (err) {
          // The cancel reached the node first: the node refused the payment, no money moved.
          if ((err as { response?: { code?: string } }).response?.code !== 'invoice_canceled') throw err;
        }
      };
      const cancel = async () => {
        const res = await t.http.post(`/api/v1/checkouts/${c.id}/cancel`).set(auth);
        expect([200, 409]).toContain(res.status);
      };
      // Order of the calls varies so every interleaving gets its turn.
      const moves = [pay, () => transitions.expire(c.id), cancel];
      const order = [moves[i % 3], moves[(i + 1 + ((i >> 2) % 2)) % 3], moves[(i + 2 - ((i >> 2) % 2)) % 3]];
      await Promise.all(order.map((move) => move()));
    };

    for (let batch = 0; batch < 20; batch++) await Promise.all(Array.from({ length: 10 }, (_, j) => race(batch * 10 + j)));

    const ds = t.app.get(DataSource);
    const checkouts = await ds.getRepository(Checkout).findBy({ id: In(ids) });
    const events = await ds.getRepository(CheckoutEvent).findBy({ checkoutId: In(ids) });
    expect(checkouts).toHaveLength(200);
    for (const c of checkouts) {
      const mine = events.filter((e) => e.checkoutId === c.id);
      expect({ id: c.id, terminal: mine.filter((e) => TERMINAL.includes(e.type)).length }).toEqual({ id: c.id, terminal: 1 });
      const node = await lightning.lookupInvoice({ paymentHash: c.paymentHash, nodeName: c.nodeName });
      const paidLate = mine.filter((e) => e.type === CheckoutEventType.InvoicePaidAfterExpiration).length;
      if (node.settled) {
        // Money taken: Settled with the amount, or PaidLate on record with exactly one event.
        expect(Number(c.amountPaidSats)).toBe(Number(c.amountSats));
        if (c.status === CheckoutStatus.Settled) {
          outcomes.settled++;
          expect(paidLate).toBe(0);
        } else {
          outcomes.paidLate++;
          expect({ id: c.id, additionalStatus: c.additionalStatus, paidLate }).toEqual({ id: c.id, additionalStatus: AdditionalStatus.PaidLate, paidLate: 1 });
        }
      } else {
        outcomes.refusedByNode++;
        expect([CheckoutStatus.Expired, CheckoutStatus.Invalid]).toContain(c.status);
        expect({ id: c.id, additionalStatus: c.additionalStatus, paid: c.amountPaidSats, paidLate }).toEqual({
          id: c.id,
          additionalStatus: AdditionalStatus.None,
          paid: null,
          paidLate: 0,
        });
      }
      // A checkout canceled here has its invoice canceled on the node unless it was paid there.
      if (c.status === CheckoutStatus.Invalid) expect(node.canceled || node.settled).toBe(true);
      expect(c.invoiceCancelPending).toBe(false);
    }
    expect(outcomes.settled + outcomes.paidLate + outcomes.refusedByNode).toBe(200);
  });
});
