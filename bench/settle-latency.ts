// Payment → webhook: the customer's LND pays a checkout invoice; how long until the shop's
// webhook receiver (a local node:http server) gets InvoiceSettled. The baseline is the merchant
// LND's own invoice subscription seeing the settlement, measured in the same run.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Network } from '../test/harness';
import { ln } from '../test/harness';
import { lndMember, withNetwork } from './lib/network';
import { waitUntilReady } from './lib/ready';
import { errorMessage, runStandalone, unavailable, type Row } from './lib/report';
import { startServer, type BenchServer } from './lib/server';
import { ms, percentile, ratio } from './lib/stats';

const BENCH = 'settle-latency';
const TARGET_P99_MS = 1000;

export interface SettleLatencyOptions {
  network?: Network;
  payments?: number;
  timeLimitMs?: number;
}

interface Receiver {
  url: string;
  server: Server;
  waitFor(checkoutId: string, timeoutMs: number): Promise<number>;
}

/** A shop's webhook endpoint: records when InvoiceSettled arrives for each checkout. */
async function startReceiver(): Promise<Receiver> {
  const arrived = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200).end();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string; checkoutId?: string; invoiceId?: string };
        const id = body.checkoutId ?? body.invoiceId;
        if (body.type === 'InvoiceSettled' && id && !arrived.has(id)) {
          arrived.set(id, at);
          waiters.get(id)?.(at);
        }
      } catch {
        /* not ours */
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/lightning`,
    server,
    waitFor: (id, timeoutMs) =>
      new Promise((resolve, reject) => {
        const known = arrived.get(id);
        if (known !== undefined) return resolve(known);
        const timer = setTimeout(() => reject(new Error(`no InvoiceSettled webhook for ${id} within ${timeoutMs} ms`)), timeoutMs);
        waiters.set(id, (t) => (clearTimeout(timer), resolve(t)));
      }),
  };
}

async function pollSettled(server: BenchServer, id: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const view = await server.api.ok<{ status: string }>('GET', `/api/v1/checkouts/${id}`);
    if (view.status === 'Settled') return performance.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`checkout ${id} not Settled within ${timeoutMs} ms`);
}

export async function run(opts: SettleLatencyOptions = {}): Promise<Row[]> {
  const payments = opts.payments ?? Number(process.env.BENCH_PAYMENTS ?? 50);
  const timeLimitMs = opts.timeLimitMs ?? 120_000;
  try {
    return await withNetwork(opts.network, { merchants: 1 }, async (net) => {
      const merchant = net.merchants[0];
      const receiver = await startReceiver();
      let server: BenchServer;
      try {
        server = await startServer({
          config: { lightning: { backend: lndMember(merchant) }, webhooks: { allowPrivateTargets: true } },
        });
      } catch (err) {
        receiver.server.close();
        return [unavailable(BENCH, 'payment → webhook', errorMessage(err))];
      }
      // The merchant node's own settlement stream: when LND itself knows the invoice is paid.
      const lndSeen = new Map<string, number>();
      const sub = ln.subscribeToInvoices({ lnd: merchant.lnd });
      sub.on('invoice_updated', (inv: { id: string; is_confirmed: boolean }) => {
        if (inv.is_confirmed && !lndSeen.has(inv.id)) lndSeen.set(inv.id, performance.now());
      });
      sub.on('error', () => undefined);
      try {
        await waitUntilReady(server, 60_000);
        const hook = await server.api.send('POST', '/api/v1/webhooks', { url: receiver.url, events: ['InvoiceSettled'] });
        const mode = hook.status === 201 || hook.status === 200 ? 'webhook' : 'poll';
        const modeNote =
          mode === 'webhook'
            ? 'webhook received by a node:http receiver on loopback'
            : `webhooks API unavailable (POST /api/v1/webhooks → HTTP ${hook.status}): measured until GET /api/v1/checkouts/:id says Settled (20 ms polling)`;

        const toHook: number[] = [];
        const toLnd: number[] = [];
        const settleToHook: number[] = [];
        const payDurations: number[] = [];
        let failed = 0;
        let firstError: string | undefined;
        const deadline = performance.now() + timeLimitMs;
        for (let i = 0; i < payments && performance.now() < deadline; i++) {
          try {
            const checkout = await server.api.ok<{ id: string; bolt11: string; paymentHash: string }>('POST', '/api/v1/checkouts', {
              amount: 1000 + i,
              currency: 'SATS',
              orderId: `settle-${i}`,
            });
            const t0 = performance.now();
            const arrival = mode === 'webhook' ? receiver.waitFor(checkout.id, 15_000) : pollSettled(server, checkout.id, 15_000);
            arrival.catch(() => undefined);
            await ln.pay({ lnd: net.customer.lnd, request: checkout.bolt11 });
            payDurations.push(performance.now() - t0);
            const tHook = await arrival;
            const tLnd = lndSeen.get(checkout.paymentHash);
            toHook.push(tHook - t0);
            if (tLnd !== undefined) {
              toLnd.push(tLnd - t0);
              settleToHook.push(tHook - tLnd);
            }
          } catch (err) {
            failed++;
            firstError ??= errorMessage(err);
          }
        }
        const p99 = percentile(settleToHook, 99);
        const what = mode === 'webhook' ? 'webhook' : 'API status Settled';
        return [
          {
            bench: BENCH,
            figure: `LND settled → ${what} p50`,
            value: ms(percentile(settleToHook, 50)),
            note: `${toHook.length} payments ok, ${failed} failed${firstError ? ` (first: ${firstError})` : ''}; ${modeNote}`,
          },
          {
            bench: BENCH,
            figure: `LND settled → ${what} p99`,
            value: ms(p99),
            target: `≤ ${TARGET_P99_MS} ms`,
            verdict: Number.isFinite(p99) ? (p99 <= TARGET_P99_MS ? 'pass' : 'FAIL') : 'n/a',
            note: 'settled = the merchant LND invoice subscription (opened by the bench) reports is_confirmed',
          },
          {
            bench: BENCH,
            figure: `pay sent → ${what} p50`,
            value: ms(percentile(toHook, 50)),
            baseline: `${ms(percentile(toLnd, 50))} pay sent → LND settled`,
            ratio: ratio(percentile(toHook, 50), percentile(toLnd, 50)),
          },
          {
            bench: BENCH,
            figure: `pay sent → ${what} p99`,
            value: ms(percentile(toHook, 99)),
            baseline: `${ms(percentile(toLnd, 99))} pay sent → LND settled`,
            ratio: ratio(percentile(toHook, 99), percentile(toLnd, 99)),
            note: `customer's pay() itself took p50 ${ms(percentile(payDurations, 50))}`,
          },
        ];
      } finally {
        sub.removeAllListeners();
        receiver.server.close();
        await server.stop();
      }
    });
  } catch (err) {
    return [unavailable(BENCH, 'regtest network', errorMessage(err))];
  }
}

if (require.main === module) runStandalone(() => run());
