// Embedded default (SQLite + dev backend): checkout creation through the HTTP API against a
// trivial endpoint of the same server under the same load.
import { createServer, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { JsonClient } from './lib/http';
import { runLoad, type LoadResult } from './lib/load';
import { cpuMeter, RssSampler } from './lib/proc';
import { errorMessage, runStandalone, unavailable, type Row } from './lib/report';
import { startServer } from './lib/server';
import { mib, ms, perSec, ratio } from './lib/stats';

const BENCH = 'embedded';

export interface EmbeddedOptions {
  checkouts?: number;
  concurrency?: number;
  timeLimitMs?: number;
}

export async function run(opts: EmbeddedOptions = {}): Promise<Row[]> {
  const total = opts.checkouts ?? Number(process.env.BENCH_EMBEDDED_CHECKOUTS ?? 2000);
  const concurrency = opts.concurrency ?? 16;
  const timeLimitMs = opts.timeLimitMs ?? 60_000;
  let server;
  try {
    // BENCH_EMBEDDED_DATABASE=postgres: the same load with PostgreSQL behind the dev backend (the create path's own cost on PostgreSQL).
    const database = process.env.BENCH_EMBEDDED_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
    server = await startServer({ config: { lightning: { backend: { type: 'dev', name: 'dev' } } }, maxSockets: concurrency, database });
  } catch (err) {
    return [unavailable(BENCH, 'checkouts/s (SQLite + dev backend)', errorMessage(err))];
  }
  let bare: Server | undefined;
  try {
    // Baseline: /health/live of the same server (routing, middleware, serialization, no DB);
    // a bare node:http server when the route does not exist yet.
    let baselineClient = new JsonClient(server.url, {}, concurrency);
    let baselinePath = '/health/live';
    let baselineLabel = 'GET /health/live, same server';
    if ((await baselineClient.send('GET', baselinePath)).status !== 200) {
      baselineClient.close();
      bare = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
      await new Promise<void>((r) => bare!.listen(0, '127.0.0.1', r));
      baselineClient = new JsonClient(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`, {}, concurrency);
      baselinePath = '/';
      baselineLabel = 'bare node:http in the bench process (no /health/live)';
    }

    // Warm-up: JIT, connection pool, SQLite page cache.
    await runLoad({ total: 100, concurrency, timeLimitMs: 10_000, op: () => server.api.ok('POST', '/api/v1/checkouts', { amount: 1000, currency: 'SATS' }) });
    await runLoad({ total: 200, concurrency, timeLimitMs: 10_000, op: () => baselineClient.ok('GET', baselinePath) });

    const baseline = await runLoad({ total, concurrency, timeLimitMs, op: () => baselineClient.ok('GET', baselinePath) });
    // One request at a time: the per-request cost without queueing in front of the event loop.
    const serialTotal = Math.max(20, Math.round(total / 10));
    const baselineSerial = await runLoad({
      total: serialTotal,
      concurrency: 1,
      timeLimitMs: timeLimitMs / 4,
      op: () => baselineClient.ok('GET', baselinePath),
    });
    baselineClient.close();
    const serial = await runLoad({
      total: serialTotal,
      concurrency: 1,
      timeLimitMs: timeLimitMs / 4,
      op: (i) => server.api.ok('POST', '/api/v1/checkouts', { amount: 1000 + (i % 1000), currency: 'SATS', orderId: `serial-${i}` }),
    });

    const rss = new RssSampler(server.pid);
    const cpu = cpuMeter({ server: server.pid });
    const load = await runLoad({
      total,
      concurrency,
      timeLimitMs,
      op: (i) => server.api.ok('POST', '/api/v1/checkouts', { amount: 1000 + (i % 1000), currency: 'SATS', orderId: `bench-${i}` }),
    });
    const peakRss = rss.stop();
    const cpuUsed = cpu();
    return [...rows(load, baseline, baselineLabel, peakRss, cpuUsed, concurrency), ...serialRows(serial, baselineSerial)];
  } finally {
    bare?.close();
    await server.stop();
  }
}

function rows(load: LoadResult, baseline: LoadResult, baselineLabel: string, peakRss: number, cpu: Record<string, number>, concurrency: number): Row[] {
  const note = `${load.ok} ok / ${load.failed} failed, concurrency ${concurrency}${load.truncated ? ', stopped by time limit' : ''}${load.firstError ? `; first error: ${load.firstError}` : ''}`;
  return [
    {
      bench: BENCH,
      figure: 'checkouts/s (POST /api/v1/checkouts)',
      value: perSec(load.throughput),
      baseline: `${perSec(baseline.throughput)} (${baselineLabel})`,
      ratio: ratio(load.throughput, baseline.throughput),
      note,
    },
    { bench: BENCH, figure: 'checkout latency p50', value: ms(load.p50), baseline: ms(baseline.p50), ratio: ratio(load.p50, baseline.p50) },
    { bench: BENCH, figure: 'checkout latency p99', value: ms(load.p99), baseline: ms(baseline.p99), ratio: ratio(load.p99, baseline.p99) },
    { bench: BENCH, figure: 'server peak RSS under load', value: mib(peakRss), note: 'VmRSS sampled every 50 ms' },
    {
      bench: BENCH,
      figure: 'CPU seconds during the checkout load',
      value: Object.entries(cpu)
        .map(([name, s]) => `${name} ${s.toFixed(2)} s`)
        .join(', '),
      note: `${(load.durationMs / 1000).toFixed(1)} s wall on 2 cores`,
    },
    { bench: BENCH, figure: 'server CPU per checkout', value: ms((cpu.server / Math.max(1, load.ok)) * 1000) },
  ];
}

function serialRows(serial: LoadResult, baseline: LoadResult): Row[] {
  return [
    {
      bench: BENCH,
      figure: 'checkout latency p50, one request at a time',
      value: ms(serial.p50),
      baseline: ms(baseline.p50),
      ratio: ratio(serial.p50, baseline.p50),
      note: `${serial.ok} ok / ${serial.failed} failed`,
    },
    {
      bench: BENCH,
      figure: 'checkout latency p99, one request at a time',
      value: ms(serial.p99),
      baseline: ms(baseline.p99),
      ratio: ratio(serial.p99, baseline.p99),
    },
  ];
}

if (require.main === module) runStandalone(() => run());
