// Checkout creation through the HTTP API on real regtest LND (a pool of 1, 2 and 3 nodes) against
// calling AddInvoice (ln-service createInvoice) directly on the same nodes with the same concurrency.
import type { LndNode, Network } from '../test/harness';
import { ln } from '../test/harness';
import { runInterleaved, runLoad, type LoadResult } from './lib/load';
import { lightningPids, lndMember, withNetwork } from './lib/network';
import { cpuMeter } from './lib/proc';
import { errorMessage, runStandalone, unavailable, type Row } from './lib/report';
import { startServer, type BenchServer } from './lib/server';
import { ms, perSec, ratio } from './lib/stats';
import { waitUntilReady } from './lib/ready';

const BENCH = 'checkout-create';
/** Server overhead target from the issue: p50 through the API ≤ 1.3× direct AddInvoice. */
const TARGET_P50_RATIO = 1.3;

export interface CheckoutCreateOptions {
  network?: Network;
  checkouts?: number;
  concurrency?: number;
  timeLimitMs?: number;
  poolSizes?: number[];
}

export async function run(opts: CheckoutCreateOptions = {}): Promise<Row[]> {
  const total = opts.checkouts ?? Number(process.env.BENCH_LND_CHECKOUTS ?? 300);
  const concurrency = opts.concurrency ?? 8;
  const serialTotal = Math.max(10, Math.round((total * 2) / 3));
  const timeLimitMs = opts.timeLimitMs ?? 30_000;
  const sizes = opts.poolSizes ?? [1, 2, 3];
  try {
    return await withNetwork(opts.network, { merchants: Math.max(...sizes) }, async (net) => {
      const rows: Row[] = [];
      const throughputs: Array<{ size: number; api: number; direct: number }> = [];
      let lastDirect: { direct: LoadResult; directCpuUsed: Record<string, number>; nodes: LndNode[]; size: number } | undefined;
      for (const size of sizes) {
        if (net.merchants.length < size) {
          rows.push(unavailable(BENCH, `pool of ${size}`, `network has only ${net.merchants.length} merchant nodes`));
          continue;
        }
        const nodes = net.merchants.slice(0, size);
        // Baseline: AddInvoice straight to the same nodes, round-robin like an anonymous pool.
        await runLoad({
          total: 20,
          concurrency,
          timeLimitMs: 10_000,
          op: (i) => ln.createInvoice({ lnd: nodes[i % size].lnd, tokens: 1000, description: 'warm-up' }),
        });
        const directCpu = cpuMeter(lightningPids(net, nodes));
        const direct = await runLoad({
          total,
          concurrency,
          timeLimitMs,
          op: (i) =>
            ln.createInvoice({
              lnd: nodes[i % size].lnd,
              tokens: 1000 + i,
              description: `bench direct ${i}`,
              expires_at: new Date(Date.now() + 900_000).toISOString(),
            }),
        });
        const directCpuUsed = directCpu();

        const measured = await measureApi(nodes, size, 'sqlite', { total, serialTotal, concurrency, timeLimitMs }, net);
        if ('error' in measured) {
          rows.push(unavailable(BENCH, `pool of ${size}: checkouts/s via API`, measured.error));
          continue;
        }
        throughputs.push({ size, api: measured.api.throughput, direct: direct.throughput });
        rows.push(...sizeRows(`pool of ${size}`, { ...measured, direct }, measured.cpu, directCpuUsed, concurrency));
        lastDirect = { direct, directCpuUsed, nodes, size };
      }
      if (throughputs.length > 1) {
        const one = throughputs[0];
        rows.push({
          bench: BENCH,
          figure: 'throughput scaling with pool size (API)',
          value: throughputs.map((t) => `${t.size}: ${perSec(t.api)} (${ratio(t.api, one.api)})`).join('; '),
          baseline: throughputs.map((t) => `${t.size}: ${perSec(t.direct)} (${ratio(t.direct, one.direct)})`).join('; '),
          note: 'ratios against the pool of 1; the machine has 2 cores for the server, every lnd, btcd and the load client',
        });
      }
      // The same largest pool with PostgreSQL instead of SQLite (whose writes are serialized in one
      // connection): shows how much of the overhead is the embedded database.
      if (lastDirect && process.env.BENCH_SKIP_POSTGRES !== '1') {
        const { direct, directCpuUsed, nodes, size } = lastDirect;
        const measured = await measureApi(nodes, size, 'postgres', { total, serialTotal, concurrency, timeLimitMs }, net);
        if ('error' in measured) rows.push(unavailable(BENCH, `pool of ${size}, PostgreSQL`, measured.error));
        else rows.push(...sizeRows(`pool of ${size}, PostgreSQL`, { ...measured, direct }, measured.cpu, directCpuUsed, concurrency));
      }
      return rows;
    });
  } catch (err) {
    return [unavailable(BENCH, 'regtest network', errorMessage(err))];
  }
}

interface ApiRun {
  api: LoadResult;
  apiSerial: LoadResult;
  directSerial: LoadResult;
  /** The AddInvoice gRPC call alone (createInvoice adds a LookupInvoice and decodes the invoice). */
  rpcSerial: LoadResult;
  cpu: Record<string, number>;
}

/** AddInvoice on ln-service's raw gRPC client: what the server's lnd backend calls. */
function addInvoiceRpc(node: LndNode, sats: number, memo: string): Promise<unknown> {
  const rpc = (node.lnd as unknown as { default: { addInvoice(req: object, cb: (err: Error | null, res: unknown) => void): void } }).default;
  return new Promise((resolve, reject) =>
    rpc.addInvoice({ value_msat: String(sats * 1000), memo, expiry: 900 }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

/** Starts the server on a pool of `nodes` and drives checkouts through the HTTP API. */
async function measureApi(
  nodes: LndNode[],
  size: number,
  database: 'sqlite' | 'postgres',
  load: { total: number; serialTotal: number; concurrency: number; timeLimitMs: number },
  net: Network,
): Promise<ApiRun | { error: string }> {
  let server: BenchServer;
  try {
    server = await startServer({
      database,
      config: { lightning: { backend: { type: 'pool', name: 'bench-pool', members: nodes.map((n) => lndMember(n)) }, healthIntervalSeconds: 2 } },
      maxSockets: load.concurrency,
    });
  } catch (err) {
    return { error: errorMessage(err) };
  }
  try {
    await waitUntilReady(server, 60_000);
    const create = (i: number, tag: string) =>
      server.api.ok('POST', '/api/v1/checkouts', { amount: 1000 + i, currency: 'SATS', orderId: `${tag}-${size}-${i}` });
    await runLoad({ total: 20, concurrency: load.concurrency, timeLimitMs: 10_000, op: (i) => create(i, 'warm') });
    // One request at a time, the API, ln-service createInvoice and the bare AddInvoice RPC in
    // alternating blocks of 10 on the same nodes (round-robin): the p50 ratio compares them under
    // the same machine conditions.
    const [apiSerial, directSerial, rpcSerial] = await runInterleaved({
      total: load.serialTotal,
      block: 10,
      timeLimitMs: load.timeLimitMs,
      ops: [
        (i) => create(i, 'serial'),
        (i) =>
          ln.createInvoice({
            lnd: nodes[i % size].lnd,
            tokens: 2000 + i,
            description: `bench serial ${i}`,
            expires_at: new Date(Date.now() + 900_000).toISOString(),
          }),
        (i) => addInvoiceRpc(nodes[i % size], 3000 + i, `bench rpc ${i}`),
      ],
    });
    const meter = cpuMeter({ server: server.pid, ...lightningPids(net, nodes) });
    const api = await runLoad({ total: load.total, concurrency: load.concurrency, timeLimitMs: load.timeLimitMs, op: (i) => create(i, 'bench') });
    return { api, apiSerial, directSerial, rpcSerial, cpu: meter() };
  } catch (err) {
    return { error: errorMessage(err) };
  } finally {
    await server.stop();
  }
}

/** CPU seconds of the merchant lnds in a meter reading. */
function lndCpu(cpu: Record<string, number>): number {
  return Object.entries(cpu)
    .filter(([name]) => name.startsWith('merchant'))
    .reduce((sum, [, s]) => sum + s, 0);
}

function cpuText(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([name, s]) => `${name} ${s.toFixed(2)} s`)
    .join(', ');
}

interface SizeLoads {
  api: LoadResult;
  direct: LoadResult;
  /** One request at a time: the latency overhead without queueing in front of the server. */
  apiSerial: LoadResult;
  directSerial: LoadResult;
  rpcSerial: LoadResult;
}

function sizeRows(
  tag: string,
  { api, direct, apiSerial, directSerial, rpcSerial }: SizeLoads,
  apiCpu: Record<string, number>,
  directCpu: Record<string, number>,
  concurrency: number,
): Row[] {
  const p50Ratio = apiSerial.p50 / directSerial.p50;
  const counts = (r: LoadResult) =>
    `${r.ok} ok / ${r.failed} failed${r.truncated ? ' (time limit)' : ''}${r.firstError ? `; first error: ${r.firstError}` : ''}`;
  return [
    {
      bench: BENCH,
      figure: `${tag}: checkouts/s via API (concurrency ${concurrency})`,
      value: perSec(api.throughput),
      baseline: `${perSec(direct.throughput)} direct createInvoice`,
      ratio: ratio(api.throughput, direct.throughput),
      note: `API ${counts(api)}; direct ${counts(direct)}`,
    },
    {
      bench: BENCH,
      figure: `${tag}: latency p50, one request at a time (interleaved)`,
      value: ms(apiSerial.p50),
      baseline: `${ms(directSerial.p50)} ln-service createInvoice`,
      ratio: ratio(apiSerial.p50, directSerial.p50),
      target: `≤ ${TARGET_P50_RATIO}×`,
      verdict: Number.isFinite(p50Ratio) ? (p50Ratio <= TARGET_P50_RATIO ? 'pass' : 'FAIL') : 'n/a',
      note: `API ${counts(apiSerial)}; direct ${counts(directSerial)}`,
    },
    {
      bench: BENCH,
      figure: `${tag}: latency p50, one at a time, against the bare AddInvoice RPC`,
      value: ms(apiSerial.p50),
      baseline: `${ms(rpcSerial.p50)} AddInvoice RPC alone`,
      ratio: ratio(apiSerial.p50, rpcSerial.p50),
      note: `createInvoice is AddInvoice + LookupInvoice + decoding; the server makes the AddInvoice RPC alone. RPC ${counts(rpcSerial)}`,
    },
    {
      bench: BENCH,
      figure: `${tag}: latency p99, one request at a time`,
      value: ms(apiSerial.p99),
      baseline: ms(directSerial.p99),
      ratio: ratio(apiSerial.p99, directSerial.p99),
    },
    {
      bench: BENCH,
      figure: `${tag}: latency p50 (concurrency ${concurrency})`,
      value: ms(api.p50),
      baseline: ms(direct.p50),
      ratio: ratio(api.p50, direct.p50),
    },
    {
      bench: BENCH,
      figure: `${tag}: latency p99 (concurrency ${concurrency})`,
      value: ms(api.p99),
      baseline: ms(direct.p99),
      ratio: ratio(api.p99, direct.p99),
    },
    {
      bench: BENCH,
      figure: `${tag}: CPU per checkout (server / all lnds)`,
      value: `${ms((apiCpu.server / Math.max(1, api.ok)) * 1000)} / ${ms((lndCpu(apiCpu) / Math.max(1, api.ok)) * 1000)}`,
      baseline: `lnds ${ms((lndCpu(directCpu) / Math.max(1, direct.ok)) * 1000)} per direct createInvoice`,
    },
    {
      bench: BENCH,
      figure: `${tag}: CPU seconds (API run)`,
      value: cpuText(apiCpu),
      baseline: cpuText(directCpu),
      note: `API run ${(api.durationMs / 1000).toFixed(1)} s wall, direct ${(direct.durationMs / 1000).toFixed(1)} s wall`,
    },
  ];
}

if (require.main === module) runStandalone(() => run());
