import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Btcd } from './btcd';
import type { Etcd } from './etcd';
import { baseLndArgs, LndNode, type LndState } from './lnd';
import { ln } from './ln';
import { freePort } from './ports';
import { createLndDatabase } from './postgres';
import { makeTempDir, registerCleanup } from './processes';
import { waitFor } from './wait';

const WALLET_PASSWORD = 'harness-cluster-wallet-password';

/**
 * The two cluster layouts lnd documents: 'etcd' keeps all of lnd's data in etcd, which also runs
 * the leader election (docs/leader_election.md); 'postgres' keeps the data in one PostgreSQL
 * database shared by the members and uses etcd only for the election (docs/postgres.md, "Is
 * leader election supported for Postgres?").
 */
export type ClusterLayout = 'etcd' | 'postgres';

/** Per-member cap on lnd's PostgreSQL connections (lnd's default is 50; the test server allows 100 in all). */
const POSTGRES_MAX_CONNECTIONS = 10;

export interface StartLndClusterOptions {
  btcd: Btcd;
  etcd: Etcd;
  /** Number of lnd processes sharing one identity (default 2). */
  members?: number;
  name?: string;
  /** --cluster.leader-session-ttl in seconds (default 5). A dead leader is replaced after ~TTL. */
  leaderSessionTtl?: number;
  /** --healthcheck.leader.interval (default 1s). */
  leaderCheckInterval?: string;
  /** --db.etcd.namespace (default: unique per cluster). */
  namespace?: string;
  /** --cluster.etcd-election-prefix (default /leader/). */
  electionPrefix?: string;
  /** Copy the first member's tls.cert/tls.key to all members so one cert works everywhere (default true). */
  sharedTls?: boolean;
  extraArgs?: string[];
  rest?: boolean;
  /** Where the members keep their data (default 'etcd', or HARNESS_CLUSTER_LAYOUT). */
  layout?: ClusterLayout;
  /** Admin URL for creating the cluster's database in the 'postgres' layout (default TEST_PG_URL or the local test server). */
  postgresAdminUrl?: string;
}

/** One lnd process of a cluster. `lnd` authenticates with the cluster-wide macaroon. */
export class ClusterMember extends LndNode {
  readonly id: string;
  private readonly cluster: { macaroon?: string; pubkey?: string };

  constructor(opts: ConstructorParameters<typeof LndNode>[0] & { id: string }, cluster: { macaroon?: string; pubkey?: string }) {
    super(opts);
    this.id = opts.id;
    this.cluster = cluster;
  }

  protected override clientMacaroon(): string {
    return this.cluster.macaroon ?? this.macaroon;
  }

  override get pubkey(): string {
    const key = this.cluster.pubkey ?? this.identity;
    if (!key) throw new Error(`${this.name}: cluster pubkey unknown until a leader was ready`);
    return key;
  }

  /**
   * Polls only this member's State RPC (every 50 ms by default) until it reports `state`; resolves
   * with Date.now() of the first such answer. Finer than LndCluster.waitForLeader, whose rounds wait
   * for every member (a SIGSTOPped one until its timeout): use it to time LND's own failover.
   */
  async waitForState(state: LndState, { timeoutMs = 120_000, intervalMs = 50 } = {}): Promise<number> {
    return waitFor(`${this.id} ${state}`, async () => (await this.state(500)) === state && Date.now(), { timeoutMs, intervalMs });
  }

  /** True if this member reports SERVER_ACTIVE (it is the leader and fully started). */
  async isLeader(): Promise<boolean> {
    return (await this.state()) === 'SERVER_ACTIVE';
  }
}

export interface LndCluster {
  readonly name: string;
  readonly layout: ClusterLayout;
  /** The PostgreSQL database the members share ('postgres' layout only; dropped by stopAll()). */
  readonly database?: string;
  /** Milliseconds from the call until the first leader was ready and every follower answered. */
  readonly setupMs: number;
  readonly namespace: string;
  readonly electionPrefix: string;
  readonly leaderSessionTtl: number;
  readonly members: ClusterMember[];
  /** Node identity shared by all members. */
  readonly pubkey: string;
  /** base64 admin macaroon baked by the first leader; the root key lives in the shared DB, so it works on every leader. */
  readonly macaroon: string;
  /** base64 tls.cert of the first member (all members' cert when sharedTls). */
  readonly cert: string;
  /** aezeed mnemonic of the cluster wallet (undefined if the wallet already existed in etcd). */
  readonly seed?: string;
  /** Wallet password (also in the --wallet-unlock-password-file given to every member). */
  readonly walletPassword: string;
  /** The member that reports SERVER_ACTIVE via the State RPC, if any (the etcd election breaks ties). */
  leader(): Promise<ClusterMember | undefined>;
  /** Polls leader() until a member (not in `exclude`) is the leader. */
  waitForLeader(opts?: { exclude?: ClusterMember[]; timeoutMs?: number }): Promise<ClusterMember>;
  /** State RPC value of every member, by member id (UNRESPONSIVE if no answer within timeoutMs, default 1 s). */
  states(timeoutMs?: number): Promise<Record<string, LndState>>;
  /** cluster.id of the current etcd election winner (the lowest-revision key under the election prefix). */
  etcdLeaderId(): Promise<string | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts `members` lnd processes that share one identity and one DB (in etcd, or in one PostgreSQL
 * database with layout 'postgres'), with etcd leader election (as in lnd's
 * docs/leader_election.md). The first member is started first and becomes
 * the leader (it creates the wallet from a password file); the others block in the campaign,
 * answering the State RPC with WAITING_TO_START. Resolves when the first leader is SERVER_ACTIVE
 * and every follower answers the State RPC.
 */
export async function startLndCluster(opts: StartLndClusterOptions): Promise<LndCluster> {
  const started = Date.now();
  const name = opts.name ?? 'cluster';
  const layout = opts.layout ?? clusterLayoutFromEnv();
  const count = opts.members ?? 2;
  const ttl = opts.leaderSessionTtl ?? 5;
  const namespace = opts.namespace ?? `${name}-${randomBytes(4).toString('hex')}`;
  const electionPrefix = opts.electionPrefix ?? '/leader/';
  const sharedTls = opts.sharedTls ?? true;
  const root = makeTempDir(`lnd-${name}`);
  const passwordFile = join(root, 'wallet-password');
  writeFileSync(passwordFile, WALLET_PASSWORD, { mode: 0o600 });
  const database = layout === 'postgres' ? await createLndDatabase(name, opts.postgresAdminUrl) : undefined;
  // The --db.etcd.* flags serve the election in both layouts (lnd's etcd elector applies the namespace too).
  const etcdArgs = [`--db.etcd.host=${opts.etcd.host}`, '--db.etcd.disabletls', `--db.etcd.namespace=${namespace}`];
  const dbArgs = database
    ? [
        '--db.backend=postgres',
        `--db.postgres.dsn=${database.dsn}`,
        // As in lnd's docs/postgres.md: no timeout, a slow database must not fail lnd.
        '--db.postgres.timeout=0',
        `--db.postgres.maxconnections=${POSTGRES_MAX_CONNECTIONS}`,
        ...etcdArgs,
      ]
    : ['--db.backend=etcd', ...etcdArgs];

  const shared: { macaroon?: string; pubkey?: string } = {};
  const members: ClusterMember[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${name}-${i + 1}`;
    const dir = join(root, id);
    mkdirSync(dir, { recursive: true });
    const rpcPort = await freePort();
    const p2pPort = await freePort();
    const restPort = opts.rest ? await freePort() : undefined;
    const args = [
      ...baseLndArgs({ btcd: opts.btcd, name: id, dir, rpcPort, p2pPort, restPort, walletPasswordFile: passwordFile }),
      ...dbArgs,
      '--cluster.enable-leader-election',
      '--cluster.leader-elector=etcd',
      `--cluster.etcd-election-prefix=${electionPrefix}`,
      `--cluster.id=${id}`,
      `--cluster.leader-session-ttl=${ttl}`,
      `--healthcheck.leader.interval=${opts.leaderCheckInterval ?? '1s'}`,
      ...(opts.extraArgs ?? []),
    ];
    members.push(new ClusterMember({ name: id, id, dir, rpcPort, p2pPort, restPort, args }, shared));
  }

  const etcdLeaderId = async (): Promise<string | undefined> => {
    const kvs = await opts.etcd.client().getAll().prefix(`${namespace}${electionPrefix}`).sort('Create', 'Ascend').limit(1).strings();
    const values = Object.values(kvs);
    return values[0];
  };

  // First member: wait until it has won the election before starting the others, so it is
  // deterministically the first leader (and creates the wallet).
  const [first, ...followers] = members;
  first.spawn();
  await waitFor(`${first.id} to win the etcd election`, async () => (first.process.assertRunning(), (await etcdLeaderId()) === first.id), {
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  await first.waitRpc();
  // --wallet-unlock-allow-create only makes lnd wait for the (unauthenticated) InitWallet RPC when
  // there is no wallet yet; it does not create one. Create it with the password from the file;
  // every later leader unlocks it from the file.
  const initial = await waitFor(
    `${first.id} wallet state`,
    async () => {
      first.process.assertRunning();
      const state = await first.state();
      return ['NON_EXISTING', 'LOCKED', 'UNLOCKED', 'RPC_ACTIVE', 'SERVER_ACTIVE'].includes(state) && state;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  let seed: string | undefined;
  if (initial === 'NON_EXISTING') {
    seed = (await ln.createSeed({ lnd: first.unauthenticatedLnd })).seed;
    await ln.createWallet({ lnd: first.unauthenticatedLnd, seed, password: WALLET_PASSWORD });
  }
  if (sharedTls) {
    for (const m of followers) {
      copyFileSync(join(first.dir, 'tls.cert'), join(m.dir, 'tls.cert'));
      copyFileSync(join(first.dir, 'tls.key'), join(m.dir, 'tls.key'));
    }
  }
  for (const m of followers) m.spawn();
  await Promise.all([first.waitReady(), ...followers.map((m) => m.waitRpc())]);
  shared.macaroon = first.macaroon;
  shared.pubkey = first.pubkey;
  const cert = first.cert;

  // Short State RPC timeout: a SIGSTOPped member never answers and would slow every poll.
  const states = async (timeoutMs = 1000) => {
    const entries = await Promise.all(members.map(async (m) => [m.id, m.running() ? await m.state(timeoutMs) : 'DOWN'] as const));
    return Object.fromEntries(entries) as Record<string, LndState>;
  };

  const leader = async (): Promise<ClusterMember | undefined> => {
    const current = await states();
    const active = members.filter((m) => current[m.id] === 'SERVER_ACTIVE');
    if (active.length <= 1) return active[0];
    const elected = await etcdLeaderId().catch(() => undefined);
    return active.find((m) => m.id === elected);
  };

  const cluster: LndCluster = {
    name,
    layout,
    database: database?.name,
    setupMs: Date.now() - started,
    namespace,
    electionPrefix,
    leaderSessionTtl: ttl,
    members,
    pubkey: shared.pubkey,
    macaroon: shared.macaroon,
    cert,
    seed,
    walletPassword: WALLET_PASSWORD,
    leader,
    async waitForLeader({ exclude = [], timeoutMs = (ttl + 60) * 1000 } = {}) {
      return waitFor(
        `a leader of ${name}${exclude.length ? ` other than ${exclude.map((m) => m.id).join(', ')}` : ''}`,
        async () => {
          const m = await leader();
          return m && !exclude.includes(m) && m;
        },
        { timeoutMs, intervalMs: 200 },
      );
    },
    states,
    etcdLeaderId,
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
    },
  };
  registerCleanup(() => members.forEach((m) => m.closeClients()));
  return cluster;
}

/** HARNESS_CLUSTER_LAYOUT=postgres runs every cluster that does not choose a layout on PostgreSQL. */
export function clusterLayoutFromEnv(): ClusterLayout {
  const value = process.env.HARNESS_CLUSTER_LAYOUT ?? 'etcd';
  if (value !== 'etcd' && value !== 'postgres') throw new Error(`HARNESS_CLUSTER_LAYOUT must be etcd or postgres, not ${value}`);
  return value;
}
