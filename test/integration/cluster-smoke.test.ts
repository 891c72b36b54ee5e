// Smoke test of an lnd cluster (etcd DB + leader election) failing over under a real payment flow.
import { connectPeers, ln, startNetwork, stopAll, waitFor, type LndCluster, type Network } from '../harness';

jest.setTimeout(10 * 60_000);

describe('lnd cluster smoke (etcd leader election)', () => {
  let net: Network;
  let cluster: LndCluster;

  beforeAll(async () => {
    net = await startNetwork({ merchants: 0, clusters: [{ members: 2, leaderSessionTtl: 5 }] });
    cluster = net.clusters[0];
    console.log(`network + cluster setup took ${(net.setupMs / 1000).toFixed(1)} s`, net.timings);
  });

  afterAll(() => stopAll());

  it('fails over to the follower when the leader is SIGKILLed; the invoice survives and gets paid', async () => {
    const leader = await cluster.waitForLeader();
    const states = await cluster.states();
    console.log('cluster states before failover', states, 'etcd leader', await cluster.etcdLeaderId());
    expect(Object.values(states).filter((s) => s === 'SERVER_ACTIVE')).toHaveLength(1);
    expect(Object.values(states).filter((s) => s === 'WAITING_TO_START')).toHaveLength(1);
    expect(await cluster.etcdLeaderId()).toBe(leader.id);

    const invoice = await ln.createInvoice({ lnd: leader.lnd, tokens: 21_000, description: 'before failover' });

    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const next = await cluster.waitForLeader({ exclude: [leader], timeoutMs: (cluster.leaderSessionTtl + 90) * 1000 });
    const failoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(
      `failover: ${leader.id} killed, ${next.id} SERVER_ACTIVE after ${failoverSeconds.toFixed(1)} s ` +
        `(leader-session-ttl ${cluster.leaderSessionTtl} s)`,
    );
    expect(next).not.toBe(leader);
    expect(failoverSeconds).toBeLessThan(cluster.leaderSessionTtl + 60);
    expect(await cluster.etcdLeaderId()).toBe(next.id);

    // Same identity, and the macaroon baked by the first leader works on the new one (root key is in etcd).
    const info = await ln.getWalletInfo({ lnd: next.lndWithMacaroon(cluster.macaroon) });
    expect(info.public_key).toBe(cluster.pubkey);
    // The invoice created before the kill is in the shared DB.
    const before = await ln.getInvoice({ lnd: next.lnd, id: invoice.id });
    expect(before.is_confirmed).toBe(false);

    // The customer reconnects to the new leader's p2p address; the channel (state in etcd) comes back.
    // By hand here, as this test has LND alone: without it the channel was still inactive 60 s after
    // the failover (tried 2026-12-02). With the server, ClusterBackend has the new leader dial its
    // channel peers (test/integration/lightning-cluster.test.ts pays with no manual step).
    await connectPeers(net.customer, next);
    const channelId = net.clusterChannels[0].id;
    await waitFor(
      `channel ${channelId} active again at the customer`,
      async () => (await ln.getChannels({ lnd: net.customer.lnd, is_active: true })).channels.some((c) => c.id === channelId),
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    const paid = await ln.pay({ lnd: net.customer.lnd, request: invoice.request });
    expect(paid.is_confirmed).toBe(true);
    const settled = await ln.getInvoice({ lnd: next.lnd, id: invoice.id });
    expect(settled.is_confirmed).toBe(true);
    expect(settled.received).toBe(21_000);
  });
});
