// The cluster backend on a real LND cluster (2 members, etcd leader election): the server follows
// the leader, and an invoice issued before a failover and paid after it still settles. A second
// app runs a pool of [that cluster, an independent node]: during the failover its checkouts move
// to the independent node without a single failed request.
import { LightningService } from '../../src/lightning/lightning.service';
import { ClusterBackend } from '../../src/lightning/cluster/cluster-backend';
import { connectPeers, ln, sleep, startNetwork, stopAll, waitFor, type LndCluster, type Network } from '../harness';
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
    console.log(`network + cluster setup took ${(net.setupMs / 1000).toFixed(1)} s (${cluster.layout} layout, cluster ${(cluster.setupMs / 1000).toFixed(1)} s)`);
    const lightning = { healthIntervalSeconds: 1, reconcileIntervalSeconds: 3600 };
    app = await startTestApp({ config: { lightning: { ...lightning, backend: clusterBackend() } } });
    poolApp = await startTestApp({
      config: { lightning: { ...lightning, backend: { type: 'pool', name: 'pool', members: [clusterBackend(), lndBackend(net.merchants[0])] } } },
    });
    poolApiKey = (await poolApp.createStore('Pool shop')).apiKey;
    apiKey = (await app.createStore('Cluster shop')).apiKey;
    await waitFor('the cluster leader to be able to issue', () => backend().health().some((h) => h.canIssue), { timeoutMs: 60_000, intervalMs: 200 });
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await poolApp?.close().catch(() => undefined);
    await stopAll();
  });

  const backend = () => app.app.get(LightningService).backend as ClusterBackend;

  it('issues on the leader as one node with the cluster identity; followers show up as followers', async () => {
    const leader = (await cluster.leader())!;
    expect(backend().leaderName).toBe(leader.name);
    const shop = shopClient(app, apiKey);
    const created = await shop.create({ amount: 2100, customerId: 'alice' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ nodeName: 'shop-cluster', nodePubkey: cluster.pubkey });
    const roles = Object.fromEntries(backend().health().map((h) => [h.name, h.role]));
    expect(roles).toEqual(Object.fromEntries(cluster.members.map((m) => [m.name, m === leader ? 'leader' : 'follower'])));
    await pay(net.customer, created.body.bolt11);
    await shop.waitStatus(created.body.id, 'Settled', 30_000);
  });

  it('follows a new leader after the leader is killed; an invoice issued before and paid after the failover settles', async () => {
    const shop = shopClient(app, apiKey);
    const poolShop = shopClient(poolApp, poolApiKey);
    const pooled = clusterCustomer();
    await waitFor('the pool to see the cluster able to issue', () => poolApp.app.get(LightningService).health().some((h) => h.group === 'shop-cluster' && h.canIssue), { timeoutMs: 30_000, intervalMs: 200 });
    expect((await poolShop.create({ amount: 700, customerId: pooled })).body.nodeName).toBe('shop-cluster');
    const before = await shop.create({ amount: 5000, customerId: 'bob', description: 'issued before the failover' });
    expect(before.status).toBe(201);
    const pooledDuringFailover: Array<{ status: number; node: string }> = [];
    const oldLeader = (await cluster.leader())!;

    const killedAt = Date.now();
    await oldLeader.kill('SIGKILL');
    // LND's own part of the gap: when the follower reports SERVER_ACTIVE (polled by the harness).
    let lndActiveMs: number | undefined;
    const lndFailover = cluster.waitForLeader({ exclude: [oldLeader], timeoutMs: (SESSION_TTL_SECONDS + 90) * 1000 }).then(() => (lndActiveMs = Date.now() - killedAt));
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
    console.log(
      `cluster failover gap (leader SIGKILL -> first successful checkout): ${(gapMs / 1000).toFixed(1)} s; ` +
        `new leader SERVER_ACTIVE after ${((lndActiveMs ?? NaN) / 1000).toFixed(1)} s; ` +
        `leader-session-ttl ${SESSION_TTL_SECONDS} s; ${refused} checkouts refused with 503 meanwhile`,
    );
    expect(first).toBeDefined();
    expect(first!.body).toMatchObject({ nodeName: 'shop-cluster', nodePubkey: cluster.pubkey });
    const newLeader = cluster.members.find((m) => m !== oldLeader)!;
    expect(backend().leaderName).toBe(newLeader.name);
    expect(backend().failovers).toBe(1);
    expect(await cluster.etcdLeaderId()).toBe(newLeader.id);
    // The pool never failed a checkout: while the cluster had no leader they went to the independent node.
    expect(pooledDuringFailover.filter((r) => r.status !== 201)).toEqual([]);
    expect(pooledDuringFailover.filter((r) => r.node === net.merchants[0].name).length).toBeGreaterThan(0);

    // The customer finds the new leader (new p2p address, same identity and channel) and pays the old invoice.
    await connectPeers(net.customer, newLeader);
    const channelId = net.clusterChannels[0].id;
    await waitFor('the cluster channel active again', async () => (await ln.getChannels({ lnd: net.customer.lnd, is_active: true })).channels.some((c) => c.id === channelId), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    await pay(net.customer, before.body.bolt11);
    const settled = await shop.waitStatus(before.body.id, 'Settled', 30_000);
    expect(settled.nodeName).toBe('shop-cluster');
    expect(await settledEvents(app, before.body.id)).toBe(1);

    // The pool's cluster customer goes back to the cluster once its new leader is healthy.
    await waitFor('the pool to see the cluster again', () => poolApp.app.get(LightningService).health().some((h) => h.group === 'shop-cluster' && h.canIssue), { timeoutMs: 30_000, intervalMs: 200 });
    expect((await poolShop.create({ amount: 700, customerId: pooled })).body.nodeName).toBe('shop-cluster');
  });

  it('a paused (SIGSTOP) leader is given up on; the server does not go back to it when it resumes', async () => {
    const shop = shopClient(app, apiKey);
    const leader = cluster.members.find((m) => m.name === backend().leaderName)!;
    const follower = cluster.members.find((m) => m !== leader)!;
    // Bring the killed member back: it campaigns and waits as the follower.
    await follower.restart({ waitReady: false });
    await waitFor('the restarted member to wait as follower', async () => (await cluster.states())[follower.id] === 'WAITING_TO_START', { timeoutMs: 60_000, intervalMs: 250 });
    await waitFor('the server to see the follower', () => backend().health().find((h) => h.name === follower.name)?.reachable, { timeoutMs: 30_000, intervalMs: 200 });

    const pausedAt = Date.now();
    leader.pause();
    try {
      let created: Awaited<ReturnType<typeof shop.create>> | undefined;
      while (!created && Date.now() - pausedAt < (SESSION_TTL_SECONDS + 90) * 1000) {
        const res = await shop.create({ amount: 800, customerId: 'dave' });
        if (res.status === 201) created = res;
        else {
          expect(res.status).toBe(503);
          await sleep(200);
        }
      }
      console.log(`cluster failover gap after pausing the leader: ${((Date.now() - pausedAt) / 1000).toFixed(1)} s (leader-session-ttl ${SESSION_TTL_SECONDS} s)`);
      expect(created?.body.nodeName).toBe('shop-cluster');
      expect(backend().leaderName).toBe(follower.name);
      expect(backend().failovers).toBe(2);
    } finally {
      leader.resume();
    }
    // The resumed old leader lost its lease; the server stays with the new one.
    await sleep(3000);
    expect((await shop.create({ amount: 800, customerId: 'dave' })).status).toBe(201);
    expect(backend().leaderName).toBe(follower.name);
    expect(await cluster.etcdLeaderId()).toBe(follower.id);
  });
});
