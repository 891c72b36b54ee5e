// Settle → webhook delivery on loopback: N checkouts of the embedded server (SQLite + dev
// backend) are settled through the dev "simulate payment" action, and a local node:http receiver
// (in this process) verifies each signed InvoiceSettled webhook. Measured for the in-process
// dispatcher and for BullMQ on the local Redis (unique key prefix, removed afterwards). Baseline:
// the same receiver fed raw signed HTTP POSTs from this process, one new connection each (as the
// server's sender does). Bounded by count and time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import IORedis from 'ioredis';
import { JsonClient } from './lib/http';
import { runLoad } from './lib/load';
import { errorMessage, runStandalone, unavailable, type Row } from './lib/report';
import { startServer } from './lib/server';
import { ms, percentile, perSec, ratio } from './lib/stats';

const BENCH = 'webhook-delivery';

export interface WebhookBenchOptions {
  /** Checkouts settled per mode (the count bound). */
  checkouts?: number;
  /** Settlements in flight at once. */
  concurrency?: number;
  /** Per phase (create, settle, wait for deliveries): stop after this long (the time bound; whole run stays well under 2 minutes). */
  timeLimitMs?: number;
  /** Redis for the BullMQ mode; the machine's shared one by default (only a private key prefix is used). */
  redisUrl?: string;
}

export interface ModeFigures {
  /** Burst: all checkouts settled at once (settle concurrency), deliveries per second until the last arrived. */
  delivered: number;
  expected: number;
  deliveriesPerSec: number;
  burstP50: number;
  burstP99: number;
  /** One settlement at a time, each waited for: the latency without queueing. */
  serialP50: number;
  serialP99: number;
  serialCount: number;
  badSignatures: number;
  /** Reference without any webhook endpoint: burst settlements applied per second. */
  settleRate?: number;
}

/** A shop's endpoint: verifies the Standard Webhooks signature, records arrival per checkout. */
class Receiver {
  private server?: Server;
  url = '';
  secret = '';
  readonly arrivals = new Map<string, number>();
  badSignatures = 0;
  private waiters: (() => void)[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (!this.verify(raw, req)) {
          this.badSignatures++;
          res.writeHead(401).end();
          return;
        }
        const body = JSON.parse(raw.toString('utf8')) as { type: string; checkoutId: string };
        if (body.type === 'InvoiceSettled' && !this.arrivals.has(body.checkoutId)) this.arrivals.set(body.checkoutId, performance.now());
        res.writeHead(200).end('ok');
        this.waiters.splice(0).forEach((w) => w());
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private verify(raw: Buffer, req: IncomingMessage): boolean {
    const id = req.headers['webhook-id'];
    const ts = req.headers['webhook-timestamp'];
    const sig = String(req.headers['webhook-signature'] ?? '');
    if (!this.secret || typeof id !== 'string' || typeof ts !== 'string') return false;
    const key = Buffer.from(this.secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(raw).digest();
    return sig.split(' ').some((s) => {
      const given = Buffer.from(s.slice(3), 'base64');
      return s.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  /** Resolves when `count` settlements arrived, or at the deadline. */
  async waitFor(count: number, deadline: number): Promise<void> {
    while (this.arrivals.size < count && performance.now() < deadline) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  /** Resolves when the settlement of `checkoutId` arrived, or at the deadline. */
  async waitForId(checkoutId: string, deadline: number): Promise<boolean> {
    while (!this.arrivals.has(checkoutId) && performance.now() < deadline) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
    return this.arrivals.has(checkoutId);
  }

  reset(secret: string): void {
    this.secret = secret;
    this.arrivals.clear();
    this.badSignatures = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
  }
}

/** The dev backend's "customer paid" action (303 to the page for a form post, 202 for JSON). */
async function simulatePayment(api: JsonClient, checkoutId: string): Promise<void> {
  const res = await api.send('POST', `/i/${checkoutId}/simulate-payment`);
  if (res.status >= 400) throw new Error(`simulate-payment → HTTP ${res.status}`);
}

/**
 * The same burst of settlements with no webhook endpoint at all: how fast the server applies them
 * (sequential settlement watcher, one SQLite transaction each). Deliveries cannot outrun this.
 */
async function measureSettleRate(api: JsonClient, opts: Required<WebhookBenchOptions>): Promise<number> {
  const count = Math.max(20, Math.floor(opts.checkouts / 2));
  const ids: string[] = [];
  await runLoad({
    total: count,
    concurrency: opts.concurrency,
    timeLimitMs: opts.timeLimitMs,
    op: async () => ids.push((await api.ok<{ id: string }>('POST', '/api/v1/checkouts', { amount: 1000 })).id),
  });
  const settledBefore = (await api.ok<{ total: number }>('GET', '/api/v1/checkouts?status=Settled&limit=1')).total;
  const started = performance.now();
  await runLoad({ total: ids.length, concurrency: opts.concurrency, timeLimitMs: opts.timeLimitMs, op: (i) => simulatePayment(api, ids[i]) });
  const deadline = started + opts.timeLimitMs;
  let settled = 0;
  while (performance.now() < deadline) {
    settled = (await api.ok<{ total: number }>('GET', '/api/v1/checkouts?status=Settled&limit=1')).total - settledBefore;
    if (settled >= ids.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return settled / ((performance.now() - started) / 1000);
}

async function measureMode(receiver: Receiver, mode: 'in-process' | 'bullmq', opts: Required<WebhookBenchOptions>, prefix: string): Promise<ModeFigures> {
  const config: Record<string, unknown> = {
    webhooks: { allowPrivateTargets: true, concurrency: 16 },
    ...(mode === 'bullmq' ? { redis: { url: opts.redisUrl, prefix } } : {}),
  };
  const server = await startServer({ config, maxSockets: opts.concurrency });
  try {
    const settleRate = mode === 'in-process' ? await measureSettleRate(server.api, opts) : undefined;
    const hook = await server.api.ok<{ secret: string }>('POST', '/api/v1/webhooks', { url: `${receiver.url}/hook`, events: ['InvoiceSettled'] });
    receiver.reset(hook.secret);
    // Checkouts first (not measured): the figure is settle → delivered.
    const ids: string[] = [];
    await runLoad({
      total: opts.checkouts,
      concurrency: opts.concurrency,
      timeLimitMs: opts.timeLimitMs,
      op: async () => ids.push((await server.api.ok<{ id: string }>('POST', '/api/v1/checkouts', { amount: 1000 })).id),
    });
    // Serial: one settlement at a time, the next only once the previous webhook arrived.
    const serialCount = Math.min(60, Math.max(10, Math.floor(ids.length / 5)));
    const serialIds = ids.slice(0, serialCount);
    const serial: number[] = [];
    const serialDeadline = performance.now() + opts.timeLimitMs / 2;
    for (const id of serialIds) {
      const t0 = performance.now();
      await simulatePayment(server.api, id);
      if (!(await receiver.waitForId(id, serialDeadline))) break;
      serial.push((receiver.arrivals.get(id) as number) - t0);
    }
    // Burst: the rest settled with `concurrency` requests in flight.
    const burstIds = ids.slice(serialCount);
    const settledAt = new Map<string, number>();
    const started = performance.now();
    await runLoad({
      total: burstIds.length,
      concurrency: opts.concurrency,
      timeLimitMs: opts.timeLimitMs,
      op: async (i) => {
        settledAt.set(burstIds[i], performance.now());
        await simulatePayment(server.api, burstIds[i]);
      },
    });
    await receiver.waitFor(serialCount + settledAt.size, started + opts.timeLimitMs);
    const latencies = [...settledAt].filter(([id]) => receiver.arrivals.has(id)).map(([id, t0]) => (receiver.arrivals.get(id) as number) - t0);
    const last = Math.max(...burstIds.map((id) => receiver.arrivals.get(id) ?? 0));
    return {
      delivered: latencies.length,
      expected: burstIds.length,
      deliveriesPerSec: latencies.length / ((last - started) / 1000),
      burstP50: percentile(latencies, 50),
      burstP99: percentile(latencies, 99),
      serialP50: percentile(serial, 50),
      serialP99: percentile(serial, 99),
      serialCount: serial.length,
      badSignatures: receiver.badSignatures,
      settleRate,
    };
  } finally {
    await server.stop();
  }
}

/** One raw signed POST from this process to the receiver, on a new connection (as the server's sender does). */
function signedPost(receiver: Receiver, key: Buffer, i: number): Promise<void> {
  const id = `msg_${randomBytes(16).toString('base64url')}`;
  const ts = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ id, type: 'InvoiceSettled', checkoutId: `baseline-${i}-${id}`, data: { status: 'Settled', amountSats: 1000 } });
  const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return new Promise<void>((resolve, reject) => {
    const req = request(`${receiver.url}/hook`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': `v1,${signature}`,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`receiver answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The floor of any delivery path: the same receiver fed signed POSTs straight from this process. */
async function measureBaseline(receiver: Receiver, opts: Required<WebhookBenchOptions>) {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  receiver.reset(secret);
  const key = Buffer.from(secret.slice(6), 'base64');
  const serial = await runLoad({ total: 60, concurrency: 1, timeLimitMs: opts.timeLimitMs / 4, op: (i) => signedPost(receiver, key, i) });
  const burst = await runLoad({ total: opts.checkouts, concurrency: opts.concurrency, timeLimitMs: opts.timeLimitMs, op: (i) => signedPost(receiver, key, i) });
  return { serial, burst };
}

async function removeKeys(redisUrl: string, prefix: string): Promise<void> {
  const client = new IORedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => undefined);
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export async function run(options: WebhookBenchOptions = {}): Promise<Row[]> {
  const opts: Required<WebhookBenchOptions> = {
    checkouts: options.checkouts ?? Number(process.env.BENCH_WEBHOOK_CHECKOUTS ?? 200),
    concurrency: options.concurrency ?? 16,
    timeLimitMs: options.timeLimitMs ?? 15_000,
    redisUrl: options.redisUrl ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const receiver = new Receiver();
  await receiver.start();
  const rows: Row[] = [];
  try {
    const { serial: bSerial, burst: bBurst } = await measureBaseline(receiver, opts);
    rows.push({
      bench: BENCH,
      figure: 'baseline: raw signed POSTs/s to the receiver',
      value: perSec(bBurst.throughput),
      note: `from the bench process, new connection each, concurrency ${opts.concurrency}; ${bBurst.ok} ok / ${bBurst.failed} failed`,
    });
    rows.push({ bench: BENCH, figure: 'baseline: one POST at a time, p50 / p99', value: `${ms(bSerial.p50)} / ${ms(bSerial.p99)}` });
    for (const mode of ['in-process', 'bullmq'] as const) {
      const prefix = `lc-bench-${process.pid}-${Date.now()}`;
      try {
        const f = await measureMode(receiver, mode, opts, prefix);
        const where = mode === 'bullmq' ? 'BullMQ on the local Redis' : 'in-process dispatcher';
        rows.push({
          bench: BENCH,
          figure: `${mode}: settle → delivery p50, one at a time`,
          value: ms(f.serialP50),
          baseline: ms(bSerial.p50),
          ratio: ratio(f.serialP50, bSerial.p50),
          note: `${f.serialCount} settlements via the dev backend, each waited for; ${where}; SQLite`,
        });
        rows.push({
          bench: BENCH,
          figure: `${mode}: settle → delivery p99, one at a time`,
          value: ms(f.serialP99),
          baseline: ms(bSerial.p99),
          ratio: ratio(f.serialP99, bSerial.p99),
        });
        rows.push({
          bench: BENCH,
          figure: `${mode}: deliveries/s, burst`,
          value: perSec(f.deliveriesPerSec),
          baseline: perSec(bBurst.throughput),
          ratio: ratio(f.deliveriesPerSec, bBurst.throughput),
          note: `${f.delivered}/${f.expected} InvoiceSettled delivered in order to one endpoint, ${f.badSignatures} bad signatures; settle concurrency ${opts.concurrency}`,
        });
        if (f.settleRate !== undefined) {
          rows.push({
            bench: BENCH,
            figure: 'reference: burst settlements applied/s, no webhook endpoint',
            value: perSec(f.settleRate),
            note: 'what the settlement path alone sustains on this server',
          });
        }
        rows.push({
          bench: BENCH,
          figure: `${mode}: settle → delivery p50 / p99, burst`,
          value: `${ms(f.burstP50)} / ${ms(f.burstP99)}`,
          note: 'includes queueing behind the burst',
        });
      } catch (err) {
        rows.push(unavailable(BENCH, `${mode}: all figures`, errorMessage(err)));
      } finally {
        if (mode === 'bullmq') await removeKeys(opts.redisUrl, prefix).catch(() => undefined);
      }
    }
  } finally {
    await receiver.stop();
  }
  return rows;
}

if (require.main === module) runStandalone(() => run());
