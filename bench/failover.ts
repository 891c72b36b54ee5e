// LND cluster failover under load: a steady stream of checkouts while the cluster leader is
// SIGKILLed; how long no checkout succeeds, how many fail, against how long LND itself needs to
// elect and start a new leader.
import type { ClusterLayout, Network } from '../test/harness';
import { runLoad, type Sample } from './lib/load';
import { CLUSTER_TTL_SECONDS, clusterBackend, withNetwork } from './lib/network';
import { waitUntilReady } from './lib/ready';
import { errorMessage, runStandalone, unavailable, type Row } from './lib/report';
import { startServer, type BenchServer } from './lib/server';
import { ratio } from './lib/stats';

const BENCH = 'failover';

export interface FailoverOptions {
  network?: Network;
  concurrency?: number;
  /** Pause between a worker's checkouts: a steady load, not a saturating one. */
  paceMs?: number;
  warmupMs?: number;
  /** Keep the load running this long after checkouts succeed again. */
  afterRecoveryMs?: number;
  /** Cluster layout when the bench starts its own network (a given network's cluster keeps its own). */
  layout?: ClusterLayout;
}

const seconds = (msValue: number) => (Number.isFinite(msValue) ? `${(msValue / 1000).toFixed(2)} s` : 'n/a');

/** Longest stretch between consecutive successful completions, from the last success before `from`. */
function longestGap(samples: Sample[], from: number, end: number): number {
  const ok = samples.filter((s) => s.ok).map((s) => s.at).sort((a, b) => a - b);
  const before = ok.filter((t) => t <= from);
  let prev = before.length ? before[before.length - 1] : from;
  let gap = 0;
  for (const t of ok.filter((t) => t > from)) {
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, ok.some((t) => t > from) ? 0 : end - prev);
}

export async function run(opts: FailoverOptions = {}): Promise<Row[]> {
  const concurrency = opts.concurrency ?? 2;
  const paceMs = opts.paceMs ?? 100;
  const warmupMs = opts.warmupMs ?? 5000;
  const afterRecoveryMs = opts.afterRecoveryMs ?? 5000;
  try {
    return await withNetwork(opts.network, { merchants: 0, clusterMembers: 2, layout: opts.layout }, async (net) => {
      const cluster = net.clusters[0];
      if (!cluster || cluster.members.length < 2) return [unavailable(BENCH, 'leader kill under load', 'no 2-member LND cluster in the network')];
      const ttl = cluster.leaderSessionTtl;
      const leader = await cluster.waitForLeader();
      let server: BenchServer;
      try {
        server = await startServer({ config: { lightning: { backend: clusterBackend(cluster) } }, maxSockets: concurrency });
      } catch (err) {
        return [unavailable(BENCH, 'leader kill under load', errorMessage(err))];
      }
      try {
        await waitUntilReady(server, 60_000);
        const bound = warmupMs + (ttl + 90) * 1000;
        let killAt = NaN;
        let newLeaderAt = NaN;
        let newLeaderId = '';
        let recoveredAt = NaN;
        const started = performance.now();
        const since = () => performance.now() - started;
        const killer = (async () => {
          await new Promise((r) => setTimeout(r, warmupMs));
          killAt = since();
          await leader.kill('SIGKILL');
          const next = await cluster.waitForLeader({ exclude: [leader], timeoutMs: (ttl + 80) * 1000 });
          newLeaderAt = since();
          newLeaderId = next.id;
        })();
        killer.catch(() => undefined);
        const load = await runLoad({
          total: 1_000_000,
          concurrency,
          paceMs,
          timeLimitMs: bound,
          stop: () => Number.isFinite(recoveredAt) && since() > recoveredAt + afterRecoveryMs,
          op: async (i) => {
            const t0 = since();
            await server.api.ok('POST', '/api/v1/checkouts', { amount: 1000 + (i % 1000), currency: 'SATS', orderId: `failover-${i}` }, 10_000);
            if (Number.isFinite(killAt) && t0 > killAt && !Number.isFinite(recoveredAt)) recoveredAt = since();
          },
        });
        await killer.catch((err) => {
          newLeaderId = `none (${errorMessage(err)})`;
        });
        const end = load.durationMs;
        const gap = longestGap(load.samples, killAt, end);
        const afterKill = load.samples.filter((s) => s.at > killAt);
        const lndFailover = newLeaderAt - killAt;
        const withinTarget = gap <= (ttl + 5) * 1000;
        return [
          {
            bench: BENCH,
            figure: 'gap with no successful checkout (leader SIGKILLed)',
            value: seconds(gap),
            baseline: `${seconds(lndFailover)} kill → new leader SERVER_ACTIVE (${newLeaderId})`,
            ratio: ratio(gap, lndFailover),
            target: `≤ TTL + 5 s = ${ttl + 5} s`,
            verdict: Number.isFinite(killAt) ? (withinTarget ? 'pass' : 'FAIL') : 'n/a',
            note: `session TTL ${ttl} s (--cluster.leader-session-ttl), server on its default lightning settings; load: ${concurrency} workers, ${paceMs} ms pause`,
          },
          {
            bench: BENCH,
            figure: 'failed checkout requests during failover',
            value: String(load.failed),
            note: `${afterKill.filter((s) => s.ok).length} ok after the kill, ${load.ok} ok in total${load.firstError ? `; first error: ${load.firstError}` : ''}`,
          },
          {
            bench: BENCH,
            figure: 'kill → first checkout started after the kill succeeds',
            value: seconds(recoveredAt - killAt),
          },
          { bench: BENCH, figure: 'session TTL used', value: `${ttl} s` },
        ];
      } finally {
        await server.stop();
      }
    });
  } catch (err) {
    return [unavailable(BENCH, 'regtest cluster', errorMessage(err))];
  }
}

/**
 * run() once per layout, each on a network of its own, with the layout in the bench column so the
 * two sets of figures stay apart.
 */
export async function runLayouts(layouts: ClusterLayout[], opts: Omit<FailoverOptions, 'network' | 'layout'> = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for (const layout of layouts) rows.push(...(await run({ ...opts, layout })).map((row) => ({ ...row, bench: `${row.bench} (${layout} layout)` })));
  return rows;
}

/** --layout=etcd|postgres|both (default both). */
function layoutsFromArgs(argv: string[]): ClusterLayout[] {
  const arg = argv.find((a) => a.startsWith('--layout='))?.slice('--layout='.length) ?? 'both';
  if (arg === 'both') return ['etcd', 'postgres'];
  if (arg === 'etcd' || arg === 'postgres') return [arg];
  throw new Error(`--layout must be etcd, postgres or both, not ${arg}`);
}

if (require.main === module) runStandalone(() => runLayouts(layoutsFromArgs(process.argv.slice(2))));
