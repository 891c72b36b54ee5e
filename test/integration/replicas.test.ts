import { Client } from 'pg';
import { startEtcd, type Etcd } from '../harness';
import { compileServer, CompiledServer, runCli, ServerProcess, spawnServer } from '../support/server-process';

/**
 * Two server processes share one PostgreSQL database and one etcd. Exactly one runs the singleton
 * work (expiry sweeps, reconciliation); when it is killed with SIGKILL, the other takes over once
 * the dead one's election lease runs out, and expiry carries on.
 */
const TTL_SECONDS = 6;
const SWEEP_SECONDS = 0.3;
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

jest.setTimeout(180_000);

interface Replica {
  name: string;
  proc: ServerProcess;
  url: string;
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return res.json();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

describe('replicas elect one singleton leader through etcd', () => {
  let etcd: Etcd;
  let compiled: CompiledServer;
  let dbName: string;
  let dbUrl: string;
  let sql: Client;
  let env: Record<string, string>;
  let apiKey: string;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    etcd = await startEtcd({ name: 'replicas-etcd' });
    dbName = `lc_replicas_${process.pid}_${Date.now()}`;
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect().catch((err: Error) => {
      throw new Error(`PostgreSQL at ${PG_ADMIN_URL} is unreachable: ${err.message}`);
    });
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    dbUrl = url.toString();
    compiled = await compileServer();
    env = {
      DATABASE_URL: dbUrl,
      APP_ETCD__HOSTS: JSON.stringify([etcd.clientUrl]),
      APP_ETCD__NAMESPACE: `lc-replicas-${process.pid}/`,
      APP_ETCD__ELECTION_TTL_SECONDS: String(TTL_SECONDS),
      APP_CHECKOUT__EXPIRY_SWEEP_SECONDS: String(SWEEP_SECONDS),
      LOG_LEVEL: 'info',
    };
    // The CLI runs the migrations before the replicas start (and creates the shop).
    apiKey = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Replicated shop', '--json'], env)).apiKey;
    sql = new Client({ connectionString: dbUrl });
    await sql.connect();
    const procs = ['replica-a', 'replica-b'].map((name) => ({ name, proc: spawnServer({ name, script: compiled.entry('src/main.ts'), env }) }));
    for (const { name, proc } of procs) replicas.push({ name, proc, url: await proc.ready });
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.proc.stop()));
    await sql?.end().catch(() => undefined);
    await etcd?.stop();
    compiled?.remove();
    if (dbName) {
      const admin = new Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  });

  const leaders = async (among: Replica[]) => {
    const states = await Promise.all(among.map(async (r) => ({ r, status: await getJson(`${r.url}/health/replica`) })));
    return states.filter((s) => s.status.isLeader).map((s) => s.r);
  };

  const createCheckout = async (via: Replica): Promise<string> => {
    const res = await fetch(`${via.url}/api/v1/checkouts`, {
      method: 'POST',
      headers: { Authorization: `token ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 1000 }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  /** Makes a checkout due for expiry now, as if its expiry time had passed. */
  const makeDue = (id: string) => sql.query(`UPDATE checkouts SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`, [id]);
  const statusOf = async (id: string) => (await sql.query<{ status: string }>('SELECT status FROM checkouts WHERE id = $1', [id])).rows[0]?.status;

  it('runs the singleton work on exactly one replica and fails over when it dies', async () => {
    const [first] = await waitFor(
      'a leader',
      async () => {
        const found = await leaders(replicas);
        return found.length > 0 && found;
      },
      30_000,
    );
    // Stable: still exactly one after a few lease renewals.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await leaders(replicas)).map((r) => r.name)).toEqual([first.name]);
    const survivor = replicas.find((r) => r !== first)!;
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toMatch(/^replica_is_leader 1$/m);
    expect(await (await fetch(`${survivor.url}/metrics`)).text()).toMatch(/^replica_is_leader 0$/m);
    const nodes = await getJson(`${survivor.url}/health/nodes`);
    const leaderStatus = await getJson(`${first.url}/health/replica`);
    // Any replica names the leader.
    expect(nodes.replica).toMatchObject({ coordination: 'etcd', isLeader: false, leaderId: leaderStatus.replicaId });
    expect(leaderStatus.leaderId).toBe(leaderStatus.replicaId);

    // The leader expires a due checkout created through the follower.
    const before = await createCheckout(survivor);
    await makeDue(before);
    await waitFor('the leader to expire a due checkout', async () => (await statusOf(before)) === 'Expired', 10_000);

    first.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await first.proc.exited;
    const after = await createCheckout(survivor);
    await makeDue(after);
    // The dead leader's lease still holds for most of its TTL: the follower must not sweep yet.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await getJson(`${survivor.url}/health/replica`)).isLeader).toBe(false);
    expect(await statusOf(after)).toBe('New');

    await waitFor('the survivor to take over', async () => (await getJson(`${survivor.url}/health/replica`)).isLeader === true, (TTL_SECONDS + 8) * 1000);
    const takeoverMs = Date.now() - killedAt;
    await waitFor(
      'etcd to name the survivor',
      async () => {
        const status = await getJson(`${survivor.url}/health/replica`);
        return status.leaderId === status.replicaId;
      },
      5000,
    );
    await waitFor('the new leader to expire the due checkout', async () => (await statusOf(after)) === 'Expired', 10_000);
    const expiredMs = Date.now() - killedAt;
    console.log(
      `replica failover: leader killed, survivor elected after ${takeoverMs} ms, due checkout expired after ${expiredMs} ms (lease TTL ${TTL_SECONDS} s)`,
    );
    expect(takeoverMs).toBeLessThan((TTL_SECONDS + 8) * 1000);
    expect(await (await fetch(`${survivor.url}/metrics`)).text()).toMatch(/^replica_is_leader 1$/m);
  });

  it('a leader cut off from etcd steps down before its lease can pass to another, and leads again once etcd is back', async () => {
    const leader = replicas.find((r) => r.proc.running())!;
    await waitFor('the remaining replica to lead', async () => (await getJson(`${leader.url}/health/replica`)).isLeader === true, 30_000);
    etcd.process.pause(); // SIGSTOP: connections stay open, nothing answers (a partition, not a crash)
    const pausedAt = Date.now();
    try {
      // Polled through /metrics: it never waits on etcd (the leader lookup on /health/replica does, up to 1 s).
      await waitFor(
        'the leader to step down',
        async () => /^replica_is_leader 0$/m.test(await (await fetch(`${leader.url}/metrics`)).text()),
        TTL_SECONDS * 2000,
      );
      const stepDownMs = Date.now() - pausedAt;
      // Readiness reports etcd as degraded, within the probe's own timeout, and stays 200: the
      // replica still takes checkouts while only the singleton work pauses.
      const ready = await fetch(`${leader.url}/health/ready`, { signal: AbortSignal.timeout(5000) });
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { status: string; details: Record<string, { status: string }> };
      expect(body.status).toBe('degraded');
      expect(body.details.etcd.status).toBe('degraded');
      expect((await createCheckout(leader)).length).toBeGreaterThan(0);
      console.log(`etcd paused: leader stepped down after ${stepDownMs} ms (lease TTL ${TTL_SECONDS} s)`);
      // Before the lease could have expired on the server: nobody else could have been elected yet.
      expect(stepDownMs).toBeLessThan(TTL_SECONDS * 1000);
    } finally {
      etcd.process.resume();
    }
    await waitFor('the replica to lead again', async () => (await getJson(`${leader.url}/health/replica`)).isLeader === true, 30_000);
    const due = await createCheckout(leader);
    await makeDue(due);
    await waitFor('expiry to resume', async () => (await statusOf(due)) === 'Expired', 10_000);
  });
});
