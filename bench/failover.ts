// LND cluster failover under load: a steady stream of checkouts while the cluster leader is
// SIGKILLed, then (the killed member back as follower) while the new leader is frozen with SIGSTOP;
// for each, how long no checkout succeeds, how many fail, and how long after LND's own switch (the
// other member SERVER_ACTIVE) the server switches.
import { waitFor, type ClusterLayout, type ClusterMember, type LndCluster, type Network } from '../test/harness';
import { runLoad, type Sample } from './lib/load';
import { clusterBackend, withNetwork } from './lib/network';
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
  const ok = samples
    .filter((s) => s.ok)
    .map((s) => s.at)
    .sort((a, b) => a - b);
  const before = ok.filter((t) => t <= from);
  let prev = before.length ? before[before.length - 1] : from;
  let gap = 0;
  for (const t of ok.filter((t) => t > from)) {
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, ok.some((t) => t > from) ? 0 : end - prev);
}

/** How one case takes the leader away, and how it is undone afterwards (a frozen process is resumed). */
interface Disruption {
  label: string;
  short: string;
  apply(leader: ClusterMember): Promise<void>;
  undo(leader: ClusterMember): Promise<void>;
}

const KILL: Disruption = {
  label: 'leader SIGKILLed',
  short: 'killed',
  apply: (leader) => leader.kill('SIGKILL'),
  undo: async () => undefined,
};

const FREEZE: Disruption = {
  label: 'leader frozen (SIGSTOP)',
  short: 'frozen',
  apply: async (leader) => leader.pause(),
  undo: async (leader) => leader.resume(),
};

interface NodesView {
  nodes: Array<{ name: string; role: string; reachable: boolean }>;
}

/** The member the server uses as leader, per GET /health/nodes. */
async function serverLeader(server: BenchServer): Promise<string | undefined> {
  const res = await server.api.send<NodesView>('GET', '/health/nodes', undefined, 2000);
  return res.status === 200 ? res.body.nodes.find((n) => n.role === 'leader')?.name : undefined;
}

export async function run(opts: FailoverOptions = {}): Promise<Row[]> {
  try {
    return await withNetwork(opts.network, { merchants: 0, clusterMembers: 2, layout: opts.layout }, async (net) => {
      const cluster = net.clusters[0];
      if (!cluster || cluster.members.length < 2) return [unavailable(BENCH, 'leader kill under load', 'no 2-member LND cluster in the network')];
      await cluster.waitForLeader();
      let server: BenchServer;
      try {
        // As deployed: with LND's etcd election key cross-checked (and watched).
        server = await startServer({
          config: { lightning: { backend: clusterBackend(cluster, cluster.name, net.etcd?.clientUrl) } },
          maxSockets: opts.concurrency ?? 2,
        });
      } catch (err) {
        return [unavailable(BENCH, 'leader kill under load', errorMessage(err))];
      }
      try {
        await waitUntilReady(server, 60_000);
        const rows = await failoverCase(server, cluster, KILL, opts);
        // The killed member comes back and waits as the follower; then the leader is frozen.
        const killed = cluster.members.find((m) => !m.running());
        if (!killed) return [...rows, unavailable(BENCH, FREEZE.label, 'the killed member is still running')];
        try {
          await killed.restart({ waitReady: false });
          await killed.waitForState('WAITING_TO_START', { timeoutMs: 60_000, intervalMs: 200 });
          await waitFor(
            'the server to see the restarted follower',
            async () => {
              const res = await server.api.send<NodesView>('GET', '/health/nodes', undefined, 2000);
              return res.body.nodes.some((n) => n.name === killed.id && n.reachable);
            },
            { timeoutMs: 30_000, intervalMs: 200 },
          );
        } catch (err) {
          return [...rows, unavailable(BENCH, FREEZE.label, `restarting the killed member: ${errorMessage(err)}`)];
        }
        return [...rows, ...(await failoverCase(server, cluster, FREEZE, opts))];
      } finally {
        await server.stop();
      }
    });
  } catch (err) {
    return [unavailable(BENCH, 'regtest cluster', errorMessage(err))];
  }
}

/**
 * Steady checkouts while the leader is taken away: the gap with no successful checkout against LND's
 * own failover (the other member first answering SERVER_ACTIVE, its State RPC polled every 50 ms),
 * and the lag of the server's switch (its /health/nodes polled every 50 ms) behind LND's.
 */
async function failoverCase(server: BenchServer, cluster: LndCluster, how: Disruption, opts: FailoverOptions): Promise<Row[]> {
  const concurrency = opts.concurrency ?? 2;
  const paceMs = opts.paceMs ?? 100;
  const warmupMs = opts.warmupMs ?? 5000;
  const afterRecoveryMs = opts.afterRecoveryMs ?? 5000;
  const ttl = cluster.leaderSessionTtl;
  const leader = await cluster.waitForLeader();
  const next = cluster.members.find((m) => m !== leader)!;
  const bound = warmupMs + (ttl + 90) * 1000;
  let disruptAt = NaN;
  let newLeaderAt = NaN;
  let serverSwitchAt = NaN;
  let recoveredAt = NaN;
  let failure = '';
  const started = performance.now();
  const since = () => performance.now() - started;
  const disruptor = (async () => {
    await new Promise((r) => setTimeout(r, warmupMs));
    disruptAt = since();
    const lndActive = next.waitForState('SERVER_ACTIVE', { timeoutMs: (ttl + 80) * 1000 }).then(() => (newLeaderAt = since()));
    const serverSwitch = waitFor(`the server to use ${next.id}`, async () => (await serverLeader(server)) === next.id, {
      timeoutMs: (ttl + 80) * 1000,
      intervalMs: 50,
    }).then(() => (serverSwitchAt = since()));
    await how.apply(leader);
    await Promise.all([lndActive, serverSwitch]);
  })();
  disruptor.catch((err) => (failure = errorMessage(err)));
  let load: Awaited<ReturnType<typeof runLoad>>;
  try {
    load = await runLoad({
      total: 1_000_000,
      concurrency,
      paceMs,
      timeLimitMs: bound,
      stop: () => Number.isFinite(recoveredAt) && since() > recoveredAt + afterRecoveryMs,
      op: async (i) => {
        const t0 = since();
        await server.api.ok('POST', '/api/v1/checkouts', { amount: 1000 + (i % 1000), currency: 'SATS', orderId: `failover-${how.short}-${i}` }, 10_000);
        if (Number.isFinite(disruptAt) && t0 > disruptAt && !Number.isFinite(recoveredAt)) recoveredAt = since();
      },
    });
    await disruptor.catch(() => undefined);
  } finally {
    await how.undo(leader);
  }
  const gap = longestGap(load.samples, disruptAt, load.durationMs);
  const afterDisrupt = load.samples.filter((s) => s.at > disruptAt);
  const lndFailover = newLeaderAt - disruptAt;
  const lag = serverSwitchAt - newLeaderAt;
  const lagTargetMs = 500;
  const gapTarget = (ttl + 5) * 1000;
  const lndNote = failure ? `; ${failure}` : '';
  return [
    {
      bench: BENCH,
      figure: `server switch lag over LND's own (${how.label})`,
      value: seconds(lag),
      baseline: `${seconds(lndFailover)} ${how.short} → ${next.id} SERVER_ACTIVE`,
      ratio: ratio(serverSwitchAt - disruptAt, lndFailover),
      target: `≤ ${seconds(lagTargetMs)}`,
      verdict: Number.isFinite(lag) ? (lag <= lagTargetMs ? 'pass' : 'FAIL') : 'n/a',
      note: `ratio: ${how.short} → server uses ${next.id} (/health/nodes, 50 ms polls) over ${how.short} → SERVER_ACTIVE (State RPC, 50 ms polls)${lndNote}`,
    },
    {
      bench: BENCH,
      figure: `gap with no successful checkout (${how.label})`,
      value: seconds(gap),
      baseline: `${seconds(lndFailover)} ${how.short} → new leader SERVER_ACTIVE`,
      ratio: ratio(gap, lndFailover),
      target: `≤ TTL + 5 s = ${ttl + 5} s`,
      verdict: Number.isFinite(disruptAt) ? (gap <= gapTarget ? 'pass' : 'FAIL') : 'n/a',
      note: `session TTL ${ttl} s (--cluster.leader-session-ttl), server on its default lightning settings; load: ${concurrency} workers, ${paceMs} ms pause`,
    },
    {
      bench: BENCH,
      figure: `failed checkout requests during failover (${how.short})`,
      value: String(load.failed),
      note: `${afterDisrupt.filter((s) => s.ok).length} ok after the ${how.short === 'killed' ? 'kill' : 'freeze'}, ${load.ok} ok in total${load.firstError ? `; first error: ${load.firstError}` : ''}`,
    },
    {
      bench: BENCH,
      figure: `${how.short} → first checkout started after it succeeds`,
      value: seconds(recoveredAt - disruptAt),
    },
  ];
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
