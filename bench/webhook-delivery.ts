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
  /** Per mode: give up waiting for deliveries after this long (the time bound). */
  timeLimitMs?: number;
  /** Redis for the BullMQ mode; the machine's shared one by default (only a private key prefix is used). */
  redisUrl?: string;
}

export interface ModeFigures {
  delivered: number;
  expected: number;
  deliveriesPerSec: number;
  p50: number;
  p99: number;
  badSignatures: number;
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

async function measureMode(receiver: Receiver, mode: 'in-process' | 'bullmq', opts: Required<WebhookBenchOptions>, prefix: string): Promise<ModeFigures> {
  const config: Record<string, unknown> = {
    webhooks: { allowPrivateTargets: true, concurrency: 16 },
    ...(mode === 'bullmq' ? { redis: { url: opts.redisUrl, prefix } } : {}),
  };
  const server = await startServer({ config, maxSockets: opts.concurrency });
  try {
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
    const settledAt = new Map<string, number>();
    const started = performance.now();
    await runLoad({
      total: ids.length,
      concurrency: opts.concurrency,
      timeLimitMs: opts.timeLimitMs,
      op: async (i) => {
        settledAt.set(ids[i], performance.now());
        const res = await server.api.send('POST', `/i/${ids[i]}/simulate-payment`);
        if (res.status >= 400) throw new Error(`simulate-payment → HTTP ${res.status}`);
      },
    });
    await receiver.waitFor(settledAt.size, started + opts.timeLimitMs);
    const latencies = [...settledAt].filter(([id]) => receiver.arrivals.has(id)).map(([id, t0]) => (receiver.arrivals.get(id) as number) - t0);
    const last = Math.max(...receiver.arrivals.values());
    return {
      delivered: latencies.length,
      expected: ids.length,
      deliveriesPerSec: latencies.length / ((last - started) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      badSignatures: receiver.badSignatures,
    };
  } finally {
    await server.stop();
  }
}

/** Raw signed POSTs from this process to the same receiver: the floor of any delivery path. */
async function measureBaseline(receiver: Receiver, opts: Required<WebhookBenchOptions>) {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  receiver.reset(secret);
  const key = Buffer.from(secret.slice(6), 'base64');
  return runLoad({
    total: opts.checkouts,
    concurrency: opts.concurrency,
    timeLimitMs: opts.timeLimitMs,
    op: (i) => {
      const id = `msg_${randomBytes(16).toString('base64url')}`;
      const ts = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({ id, type: 'InvoiceSettled', checkoutId: `baseline-${i}`, data: { status: 'Settled', amountSats: 1000 } });
      const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
      return new Promise<void>((resolve, reject) => {
        const req = request(`${receiver.url}/hook`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${signature}` },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`receiver answered ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      });
    },
  });
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
    checkouts: options.checkouts ?? Number(process.env.BENCH_WEBHOOK_CHECKOUTS ?? 300),
    concurrency: options.concurrency ?? 16,
    timeLimitMs: options.timeLimitMs ?? 40_000,
    redisUrl: options.redisUrl ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const receiver = new Receiver();
  await receiver.start();
  const rows: Row[] = [];
  try {
    const baseline = await measureBaseline(receiver, opts);
    const baselineNote = `raw signed POSTs, new connection each, concurrency ${opts.concurrency}, ${baseline.ok} ok / ${baseline.failed} failed`;
    rows.push({ bench: BENCH, figure: 'baseline: signed POSTs/s to the receiver', value: perSec(baseline.throughput), note: baselineNote });
    rows.push({ bench: BENCH, figure: 'baseline: POST latency p50 / p99', value: `${ms(baseline.p50)} / ${ms(baseline.p99)}` });
    for (const mode of ['in-process', 'bullmq'] as const) {
      const prefix = `lc-bench-${process.pid}-${Date.now()}`;
      try {
        const f = await measureMode(receiver, mode, opts, prefix);
        const note = `${f.delivered}/${f.expected} InvoiceSettled delivered, ${f.badSignatures} bad signatures; SQLite + dev backend, settle concurrency ${opts.concurrency}`;
        rows.push({ bench: BENCH, figure: `${mode}: deliveries/s`, value: perSec(f.deliveriesPerSec), baseline: perSec(baseline.throughput), ratio: ratio(f.deliveriesPerSec, baseline.throughput), note });
        rows.push({ bench: BENCH, figure: `${mode}: settle → delivery p50`, value: ms(f.p50), baseline: ms(baseline.p50), ratio: ratio(f.p50, baseline.p50) });
        rows.push({ bench: BENCH, figure: `${mode}: settle → delivery p99`, value: ms(f.p99), baseline: ms(baseline.p99), ratio: ratio(f.p99, baseline.p99) });
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
