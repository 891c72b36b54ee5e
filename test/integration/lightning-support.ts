// Shared pieces of the lightning-*.test.ts suites: backend config for harness nodes, paying, polling.
import { DataSource } from 'typeorm';
import { CheckoutEvent } from '../../src/checkout/checkout-event.entity';
import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { ln, waitFor, withTimeout, type LndNode } from '../harness';
import type { TestApp } from '../support/test-app';

/** Backend config for a harness lnd; `inline` passes base64/hex instead of file paths. */
export function lndBackend(node: LndNode, opts: { inline?: boolean; timeoutMs?: number } = {}): Record<string, unknown> {
  return {
    type: 'lnd',
    name: node.name,
    socket: node.socket,
    cert: opts.inline ? node.cert : node.certPath,
    macaroon: opts.inline ? Buffer.from(node.macaroon, 'base64').toString('hex') : node.macaroonPath,
    timeoutMs: opts.timeoutMs ?? 3000,
  };
}

export interface Checkout {
  id: string;
  status: string;
  additionalStatus: string;
  bolt11: string;
  paymentHash: string;
  nodeName: string;
  nodePubkey: string;
  amountSats: number;
}

export function shopClient(t: TestApp, apiKey: string) {
  const auth = { Authorization: `token ${apiKey}` };
  return {
    /** Creates a checkout; returns the HTTP status and body (never throws on 503, so callers can count failures). */
    async create(body: { amount: number; customerId?: string; description?: string }): Promise<{ status: number; body: Checkout & { code?: string } }> {
      const res = await t.http.post('/api/v1/checkouts').set(auth).timeout(30_000).send(body);
      return { status: res.status, body: res.body };
    },
    async get(id: string): Promise<Checkout> {
      const res = await t.http.get(`/api/v1/checkouts/${id}`).set(auth).timeout(30_000).expect(200);
      return res.body;
    },
    waitStatus(id: string, status: string, timeoutMs = 60_000): Promise<Checkout> {
      return waitFor(
        `checkout ${id} to be ${status}`,
        async () => {
          const c = await this.get(id);
          return c.status === status && c;
        },
        { timeoutMs, intervalMs: 250 },
      );
    },
  };
}

/** Pays a BOLT11 from the customer node, retrying while the route is not usable yet (e.g. channel reactivating after a restart). */
export async function pay(customer: LndNode, bolt11: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'payment to succeed',
    async () => {
      const paid = await withTimeout(ln.pay({ lnd: customer.lnd, request: bolt11, pathfinding_timeout: 15_000 }), 30_000, 'payment');
      return paid.is_confirmed;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

export async function settledEvents(t: TestApp, checkoutId: string): Promise<number> {
  return t.app
    .get(DataSource)
    .getRepository(CheckoutEvent)
    .count({ where: { checkoutId, type: CheckoutEventType.InvoiceSettled } });
}
