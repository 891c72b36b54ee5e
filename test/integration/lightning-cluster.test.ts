// The cluster backend on a real LND cluster (2 members, etcd leader election): the server follows
// the leader, killed or frozen, within moments of LND's own switch, and an invoice issued before a
// failover is paid after it with no manual step (the server has the new leader dial its channel
// peers). A second app runs a pool of [that cluster, an independent node]: during the failover its
// checkouts move to the independent node without a single failed request.
import { LightningService } from '../../src/lightning/lightning.service';
import { ClusterBackend } from '../../src/lightning/cluster/cluster-backend';
import { ln, sleep, startNetwork, stopAll, waitFor, type ClusterMember, type LndCluster, type Network } from '../harness';
import { startTestApp, type TestApp } from '../support/test-app';
import { rendezvousOrder } from '../../src/lightning/pool/selection';
import { lndBackend, pay, settledEvents, shopClient } from './lightning-support';

jest.setTimeout(10 * 60_000);

const SESSION_TTL_SECONDS = 5;

describe('lightning cluster on a real LND cluster', () => {
  let net: Network;
  let cluster: LndCluster;
  let app: TestApp;
  let apiKey: string;
  let poolApp: TestApp;
  let poolApiKey: string;
  const clusterBackend = () => ({
    type: 'cluster',
    name: 'shop-cluster',
    timeoutMs: 3000,
    clusterMembers: cluster.members.map((m) => ({ name: m.name, clusterId: m.id, socket: m.socket, cert: cluster.cert, macaroon: cluster.macaroon })),
    etcd: { hosts: [net.etcd!.clientUrl], electionKey: `${cluster.namespace}${cluster.electionPrefix}` },
  });
  /** A customer the pool places on the cluster while it can issue. */
  const clusterCustomer = () => {
    for (let i = 0; ; i++) if (rendezvousOrder(`pc-${i}`, ['shop-cluster', net.merchants[0].name])[0] === 'shop-cluster') return `pc-${i}`;
  };

  beforeAll(async () => {
    net = await startNetwork({ merchants: 1, clusters: [{ members: 2, leaderSessionTtl: SESSION_TTL_SECONDS }] });
    cluster = net.clusters[0];
    console.log(
      `network + cluster setup took ${(net.setupMs / 1000).toFixed(1)} s (${cluster.layout} layout, cluster ${(cluster.setupMs / 1000).toFixed(1)} s)`,
    );
    const lightning = { healthIntervalSeconds: 1, reconcileIntervalSeconds: 3600 };
    app = await startTestApp({ config: { lightning: { ...lightning, backend: clusterBackend() } } });
    poolApp = await startTestApp({
      config: { lightning: { ...lightning, backend: { type: 'pool', name: 'pool', members: [clusterBackend(), lndBackend(net.merchants[0])] } } },
    });
    poolApiKey = (await poolApp.createStore('Pool shop')).apiKey;
    apiKey = (await app.createStore('Cluster shop')).apiKey;
    await waitFor(
      'the cluster leader to be able to issue',
      () =>
        backend()
          .health()
          .some((h) => h.canIssue),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await poolApp?.close().catch(() => undefined);
    await stopAll();
  });

  const backend = () => app.app.get(LightningService).backend as ClusterBackend;
  /** Date.now() when the server first uses `member` as its leader (checked every 20 ms). */
  const serverSwitchesTo = (member: ClusterMember, timeoutMs: number) =>
    waitFor(`the server to switch to ${member.name}`, () => backend().leaderName === member.name && Date.now(), { timeoutMs, intervalMs: 20 });
  /** The leader's channel peers as GET /health/nodes shows them. */
  const leaderPeers = async () => {
    const res = await app.http.get('/health/nodes').expect(200);
    const leader = (res.body.nodes as Array<{ role: string; channelPeers?: Array<{ pubkey: string; connected: boolean; lastError: string | null }> }>).find(
      (n) => n.role === 'leader',
    );
    return leader?.channelPeers;
  };
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

  it('issues on the leader as one node with the cluster identity; followers show up as followers', async () => {
    const leader = (await cluster.leader())!;
    expect(backend().leaderName).toBe(leader.name);
    const shop = shopClient(app, apiKey);
    const created = await shop.create({ amount: 2100, customerId: 'alice' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ nodeName: 'shop-cluster', nodePubkey: cluster.pubkey });
    const roles = Object.fromEntries(
      backend()
        .health()
        .map((h) => [h.name, h.role]),
    );
    expect(roles).toEqual(Object.fromEntries(cluster.members.map((m) => [m.name, m === leader ? 'leader' : 'follower'])));
    await pay(net.customer, created.body.bolt11);
    await shop.waitStatus(created.body.id, 'Settled', 30_000);
  });

  it('follows a new leader after the leader is killed; an invoice issued before and paid after the failover settles', async () => {
    const shop = shopClient(app, apiKey);
    const poolShop = shopClient(poolApp, poolApiKey);
    const pooled = clusterCustomer();
    await waitFor(
      'the pool to see the cluster able to issue',
      () =>
        poolApp.app
          .get(LightningService)
          .health()
          .some((h) => h.group === 'shop-cluster' && h.canIssue),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await poolShop.create({ amount: 700, customerId: pooled })).body.nodeName).toBe('shop-cluster');
    const before = await shop.create({ amount: 5000, customerId: 'bob', description: 'issued before the failover' });
    expect(before.status).toBe(201);
    const pooledDuringFailover: Array<{ status: number; node: string }> = [];
    const oldLeader = (await cluster.leader())!;

    const newLeader = cluster.members.find((m) => m !== oldLeader)!;
    const bound = (SESSION_TTL_SECONDS + 90) * 1000;
    const killedAt = Date.now();
    // LND's own part of the gap: when the follower first answers SERVER_ACTIVE (its State RPC polled every 50 ms).
    const lndActive = newLeader.waitForState('SERVER_ACTIVE', { timeoutMs: bound });
    const serverSwitched = serverSwitchesTo(newLeader, bound);
    await oldLeader.kill('SIGKILL');
    let lndActiveMs: number | undefined;
    const lndFailover = lndActive.then((at) => (lndActiveMs = at - killedAt));
    // Checkouts are refused (503, never a 500 or a hang) until the new leader serves, then succeed.
    let refused = 0;
    let first: Awaited<ReturnType<typeof shop.create>> | undefined;
    while (Date.now() - killedAt < (SESSION_TTL_SECONDS + 90) * 1000) {
      const viaPool = await poolShop.create({ amount: 700, customerId: pooled });
      pooledDuringFailover.push({ status: viaPool.status, node: viaPool.body.nodeName });
      const res = await shop.create({ amount: 1000, customerId: 'carol' });
      if (res.status === 201) {
        first = res;
        break;
      }
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('lightning_unavailable');
      refused++;
      await sleep(200);
    }
    const gapMs = Date.now() - killedAt;
    await lndFailover;
    const switchLagMs = (await serverSwitched) - killedAt - lndActiveMs!;
    console.log(
      `cluster failover, leader SIGKILLed: new leader SERVER_ACTIVE after ${seconds(lndActiveMs!)}; server switched ${seconds(switchLagMs)} after that (lag over LND's own); ` +
        `first successful checkout after ${seconds(gapMs)}; leader-session-ttl ${SESSION_TTL_SECONDS} s; ${refused} checkouts refused with 503 meanwhile`,
    );
    expect(switchLagMs).toBeLessThan(5000); // generous: the target is 0.5 s, printed above
    expect(first).toBeDefined();
    expect(first!.body).toMatchObject({ nodeName: 'shop-cluster', nodePubkey: cluster.pubkey });
    expect(backend().leaderName).toBe(newLeader.name);
    expect(backend().failovers).toBe(1);
    expect(await cluster.etcdLeaderId()).toBe(newLeader.id);
    // The pool never failed a checkout: while the cluster had no leader they went to the independent node.
    expect(pooledDuringFailover.filter((r) => r.status !== 201)).toEqual([]);
    expect(pooledDuringFailover.filter((r) => r.node === net.merchants[0].name).length).toBeGreaterThan(0);

    // No manual step: the new leader (new p2p address, same identity and channel) was asked by the
    // server to dial its channel peers, so the customer can pay the invoice issued before the kill.
    await pay(net.customer, before.body.bolt11, 90_000);
    const paidMs = Date.now() - killedAt;
    const settled = await shop.waitStatus(before.body.id, 'Settled', 30_000);
    console.log(
      `invoice issued before the leader kill paid ${seconds(paidMs)} after the kill (${seconds(paidMs - lndActiveMs!)} after the new leader was SERVER_ACTIVE), no manual reconnection`,
    );
    expect(settled.nodeName).toBe('shop-cluster');
    expect(await settledEvents(app, before.body.id)).toBe(1);
    const peers = await waitFor(
      '/health/nodes to show the customer connected',
      async () => {
        const p = await leaderPeers();
        return p?.some((x) => x.pubkey === net.customer.pubkey && x.connected) && p;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(peers.map((p) => p.pubkey)).toContain(net.customer.pubkey);

    // The pool's cluster customer goes back to the cluster once its new leader is healthy.
    await waitFor(
      'the pool to see the cluster again',
      () =>
        poolApp.app
          .get(LightningService)
          .health()
          .some((h) => h.group === 'shop-cluster' && h.canIssue),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await poolShop.create({ amount: 700, customerId: pooled })).body.nodeName).toBe('shop-cluster');
  });

  it('a frozen (SIGSTOP) leader: the server switches right after LND does and never goes back; the invoice issued before is paid', async () => {
    await frozenLeaderCase('frozen case A', false);
  });

  it('a frozen leader the customer had dialled: its node keeps that connection; the invoice is paid once it drops it', async () => {
    await frozenLeaderCase('frozen case B', true);
  });

  /**
   * Brings the other member back as follower, issues an invoice, freezes the leader and times the
   * switch against LND's own; then tries to pay the invoice while the old leader stays frozen (up to
   * ~2 ping periods of LND), and if that does not work, after resuming it. `customerDialsOut`: the
   * customer's connection to the leader is one the customer opened (LND then refuses every inbound
   * connection from the same node, i.e. the new leader's, while it lasts).
   */
  async function frozenLeaderCase(label: string, customerDialsOut: boolean): Promise<void> {
    const shop = shopClient(app, apiKey);
    const leader = cluster.members.find((m) => m.name === backend().leaderName)!;
    const follower = cluster.members.find((m) => m !== leader)!;
    const failoversBefore = backend().failovers;
    // Bring the other member back (killed, or shut down after its freeze): it campaigns and waits as the follower.
    await follower.restart({ waitReady: false });
    await waitFor('the restarted member to wait as follower', async () => (await cluster.states())[follower.id] === 'WAITING_TO_START', {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    await waitFor(
      'the server to see the follower',
      () =>
        backend()
          .health()
          .find((h) => h.name === follower.name)?.reachable,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const customerPeer = async () => (await ln.getPeers({ lnd: net.customer.lnd })).peers.find((p) => p.public_key === cluster.pubkey);
    const customerView = async () => {
      const peer = await customerPeer();
      return peer ? `connected (${peer.is_inbound ? 'the cluster dialled in' : 'the customer dialled out'})` : 'not connected';
    };
    if (customerDialsOut) {
      // Set-up, not recovery: replace the connection by one the customer opens to the leader.
      await waitFor(
        'the customer to hold an outbound connection to the leader',
        async () => {
          const peer = await customerPeer();
          if (peer && !peer.is_inbound) return true;
          if (peer) await ln.removePeer({ lnd: net.customer.lnd, public_key: cluster.pubkey }).catch(() => undefined);
          await ln
            .addPeer({ lnd: net.customer.lnd, public_key: cluster.pubkey, socket: leader.p2pSocket, is_temporary: true, retry_count: 0, timeout: 5000 })
            .catch(() => undefined);
          return false;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }
    const channelId = net.clusterChannels[0].id;
    await waitFor(
      'the cluster channel active at the customer',
      async () => (await ln.getChannels({ lnd: net.customer.lnd, is_active: true })).channels.some((c) => c.id === channelId),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    // The server issues only on a leader with an active channel: wait until its probe has seen the
    // channel back after the reconnection above (1 s health interval).
    await waitFor(
      'the server to see the leader able to issue',
      () =>
        backend()
          .health()
          .some((h) => h.role === 'leader' && h.canIssue),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const before = await shop.create({ amount: 4000, customerId: 'erin', description: `issued before the freeze (${label})` });
    expect(before.status).toBe(201);
    console.log(`${label}: customer's connection to the cluster before the freeze: ${await customerView()}`);

    const bound = (SESSION_TTL_SECONDS + 90) * 1000;
    const pausedAt = Date.now();
    const lndActive = follower.waitForState('SERVER_ACTIVE', { timeoutMs: bound });
    const serverSwitched = serverSwitchesTo(follower, bound);
    leader.pause();
    let paidWhileFrozenMs: number | undefined;
    try {
      let switchedAt: number | undefined;
      void serverSwitched.then(
        (at) => (switchedAt = at),
        () => undefined,
      );
      // When the customer's node holds its connection to the frozen process, the new leader's channel
      // stays inactive: it must refuse to issue (503) rather than hand out invoices nobody can pay.
      const giveUp = () => (customerDialsOut && switchedAt !== undefined ? Date.now() - switchedAt > 15_000 : Date.now() - pausedAt > bound);
      let created: Awaited<ReturnType<typeof shop.create>> | undefined;
      while (!created && !giveUp()) {
        const res = await shop.create({ amount: 800, customerId: 'dave' });
        if (res.status === 201) created = res;
        else {
          expect(res.status).toBe(503);
          await sleep(200);
        }
      }
      const lndActiveMs = (await lndActive) - pausedAt;
      const switchLagMs = (await serverSwitched) - pausedAt - lndActiveMs;
      console.log(
        `${label}: cluster failover, leader frozen (SIGSTOP): new leader SERVER_ACTIVE after ${seconds(lndActiveMs)}; server switched ${seconds(switchLagMs)} after that (lag over LND's own); ` +
          (created
            ? `first successful checkout after ${seconds(Date.now() - pausedAt)}`
            : 'no checkout while the frozen process holds the only channel peer (503, leader cannot issue)') +
          `; leader-session-ttl ${SESSION_TTL_SECONDS} s`,
      );
      expect(switchLagMs).toBeLessThan(5000); // generous: the target is 0.5 s, printed above
      if (created || !customerDialsOut) expect(created?.body.nodeName).toBe('shop-cluster');
      else
        expect(
          backend()
            .health()
            .find((h) => h.role === 'leader')?.canIssue,
        ).toBe(false);
      expect(backend().leaderName).toBe(follower.name);
      expect(backend().failovers).toBe(failoversBefore + 1);

      // The old process is still frozen. Can the customer pay the earlier invoice now?
      await sleep(2000);
      console.log(`${label}: 2 s after the switch the customer is ${await customerView()}; the server shows ${JSON.stringify(await leaderPeers())}`);
      paidWhileFrozenMs = await payWithin(before.body.id, before.body.bolt11, 150_000).then((at) => at && at - pausedAt);
      console.log(
        paidWhileFrozenMs !== undefined
          ? `${label}: invoice issued before the freeze paid ${seconds(paidWhileFrozenMs)} after the freeze, old leader still frozen`
          : `${label}: invoice issued before the freeze NOT paid within 150 s while the old leader stayed frozen; customer ${await customerView()}; server shows ${JSON.stringify(await leaderPeers())}`,
      );
    } finally {
      if (paidWhileFrozenMs !== undefined) leader.resume();
    }
    if (paidWhileFrozenMs === undefined) {
      // The remedy deploy/README.md documents: the liveness check kills the frozen LND. Its connections
      // close and the customer takes the new leader's. (Only resuming it was not enough on the
      // PostgreSQL layout: not paid 120 s later.)
      const killedAt = Date.now();
      await leader.kill('SIGKILL');
      const paidAt = await payWithin(before.body.id, before.body.bolt11, 120_000);
      console.log(
        `${label}: after the frozen old leader was killed the invoice was ${paidAt ? `paid ${seconds(paidAt - killedAt)} later (${seconds(paidAt - pausedAt)} after the freeze)` : 'still not paid after 120 s'}`,
      );
      expect(paidAt).toBeDefined();
    }
    expect(await settledEvents(app, before.body.id)).toBe(1);
    // The old leader (resumed, or killed) lost its lease; the server stays with the new one.
    await sleep(3000);
    expect((await shop.create({ amount: 800, customerId: 'dave' })).status).toBe(201);
    expect(backend().leaderName).toBe(follower.name);
    expect(await cluster.etcdLeaderId()).toBe(follower.id);
  }

  /**
   * Pays from the customer until the checkout is Settled; Date.now() when the server saw it
   * settled, or undefined after `withinMs`. A payment stuck in flight on a frozen peer's
   * connection is left to finish (another attempt for the same hash is refused meanwhile).
   */
  async function payWithin(checkoutId: string, bolt11: string, withinMs: number): Promise<number | undefined> {
    const shop = shopClient(app, apiKey);
    const deadline = Date.now() + withinMs;
    let inFlight: Promise<unknown> | undefined;
    const errors = new Set<string>();
    while (Date.now() < deadline) {
      if ((await shop.get(checkoutId)).status === 'Settled') return Date.now();
      inFlight ??= ln
        .pay({ lnd: net.customer.lnd, request: bolt11, pathfinding_timeout: 10_000 })
        .catch((err: unknown) => errors.add(JSON.stringify(err).slice(0, 160)))
        .finally(() => (inFlight = undefined));
      await sleep(250);
    }
    if (errors.size) console.log(`payment attempts failed with: ${[...errors].join(' | ')}`);
    return undefined;
  }
});
