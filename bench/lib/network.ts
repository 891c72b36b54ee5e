import { startNetwork, stopAll, type ClusterLayout, type LndCluster, type LndNode, type Network } from '../../test/harness';

/** What run-all starts once for every regtest bench: 3 pool merchants and one 2-member cluster. */
export const SHARED_NETWORK = { merchants: 3, clusterMembers: 2 };

/** Leader session TTL (seconds) of the bench cluster: a dead leader is replaced after about this. */
export const CLUSTER_TTL_SECONDS = Number(process.env.BENCH_CLUSTER_TTL ?? 5);

export interface BenchNetworkNeeds {
  merchants: number;
  clusterMembers?: number;
  /** Where the cluster keeps its data (default: the harness default, HARNESS_CLUSTER_LAYOUT or etcd). */
  layout?: ClusterLayout;
}

export function startBenchNetwork(opts: BenchNetworkNeeds): Promise<Network> {
  return startNetwork({
    merchants: opts.merchants,
    clusters: opts.clusterMembers ? [{ members: opts.clusterMembers, leaderSessionTtl: CLUSTER_TTL_SECONDS, layout: opts.layout }] : [],
  });
}

/**
 * Runs `work` on the given network, or on one started for it (and stopped afterwards) when the
 * bench runs on its own.
 */
export async function withNetwork<T>(given: Network | undefined, needs: BenchNetworkNeeds, work: (net: Network) => Promise<T>): Promise<T> {
  if (given) return work(given);
  const net = await startBenchNetwork(needs);
  try {
    return await work(net);
  } finally {
    await stopAll();
  }
}

/** Server config for a standalone LND node (credentials by file path: nothing secret in the bench config). */
export function lndMember(node: LndNode, name = node.name): Record<string, unknown> {
  return { type: 'lnd', name, socket: node.socket, cert: node.certPath, macaroon: node.macaroonPath };
}

/** `etcdUrl`: also cross-check (and watch) LND's election key in that etcd. */
export function clusterBackend(cluster: LndCluster, name = cluster.name, etcdUrl?: string): Record<string, unknown> {
  return {
    type: 'cluster',
    name,
    clusterMembers: cluster.members.map((m) => ({ name: m.id, clusterId: m.id, socket: m.socket, cert: cluster.cert, macaroon: cluster.macaroon })),
    ...(etcdUrl ? { etcd: { hosts: [etcdUrl], electionKey: `${cluster.namespace}${cluster.electionPrefix}` } } : {}),
  };
}

/** pid of each Lightning-side process, for CPU accounting. */
export function lightningPids(net: Network, merchants: LndNode[]): Record<string, number> {
  const pids: Record<string, number> = { btcd: net.btcd.process.pid };
  for (const m of merchants) if (m.running()) pids[m.name] = m.process.pid;
  return pids;
}
