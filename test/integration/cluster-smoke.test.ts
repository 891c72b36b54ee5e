// Smoke test of lnd clusters failing over under a real payment flow, in both layouts lnd documents:
// data in etcd (etcd also elects), and data in one PostgreSQL database (etcd only elects).
import { Client } from 'pg';
import { connectPeers, HARNESS_PG_ADMIN_URL, ln, startNetwork, stopAll, waitFor, type ClusterLayout, type LndCluster, type Network } from '../harness';

jest.setTimeout(10 * 60_000);

const LAYOUTS: ClusterLayout[] = ['etcd', 'postgres'];

/** Row counts of lnd's key-value tables in the cluster's PostgreSQL database. */
async function postgresRows(cluster: LndCluster): Promise<Record<string, number>> {
  const url = new URL(HARNESS_PG_ADMIN_URL);
  url.pathname = `/${cluster.database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of ['channeldb_kv', 'walletdb_kv', 'macaroondb_kv']) {
      counts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

describe('lnd cluster smoke (etcd leader election, data in etcd or PostgreSQL)', () => {
  let net: Network;

  beforeAll(async () => {
    net = await startNetwork({ merchants: 0, clusters: LAYOUTS.map((layout) => ({ members: 2, leaderSessionTtl: 5, layout, name: `${layout}-cluster` })) });
    console.log(`network + ${LAYOUTS.length} clusters setup took ${(net.setupMs / 1000).toFixed(1)} s`, net.timings);
    for (const c of net.clusters) console.log(`${c.layout} layout: cluster of ${c.members.length} up in ${(c.setupMs / 1000).toFixed(1)} s`);
  });

  afterAll(() => stopAll());

  const clusterOf = (layout: ClusterLayout) => {
    const index = net.clusters.findIndex((c) => c.layout === layout);
    return { cluster: net.clusters[index], channelId: net.clusterChannels[index].id };
  };

  it('keeps the data where the layout says: etcd holds it all, or PostgreSQL holds it and etcd only the election', async () => {
    for (const layout of LAYOUTS) {
      const { cluster } = clusterOf(layout);
      const keys = await net.etcd!.client().getAll().prefix(cluster.namespace).keys();
      const electionKeys = keys.filter((k) => k.startsWith(`${cluster.namespace}${cluster.electionPrefix}`));
      expect(electionKeys.length).toBeGreaterThanOrEqual(1);
      if (layout === 'etcd') {
        expect(cluster.database).toBeUndefined();
        expect(keys.length).toBeGreaterThan(electionKeys.length);
      } else {
        expect(keys).toEqual(electionKeys);
        const rows = await postgresRows(cluster);
        console.log(`postgres layout: database ${cluster.database}, rows`, rows, `; etcd keys: ${keys.length} (election only)`);
        for (const n of Object.values(rows)) expect(n).toBeGreaterThan(0);
      }
    }
  });

  it.each(LAYOUTS)('%s layout: fails over to the follower when the leader is SIGKILLed; the invoice survives and gets paid', async (layout) => {
    const { cluster, channelId } = clusterOf(layout);
    const leader = await cluster.waitForLeader();
    const states = await cluster.states();
    console.log(`${layout} layout: cluster states before failover`, states, 'etcd leader', await cluster.etcdLeaderId());
    expect(Object.values(states).filter((s) => s === 'SERVER_ACTIVE')).toHaveLength(1);
    expect(Object.values(states).filter((s) => s === 'WAITING_TO_START')).toHaveLength(1);
    expect(await cluster.etcdLeaderId()).toBe(leader.id);

    const invoice = await ln.createInvoice({ lnd: leader.lnd, tokens: 21_000, description: `before failover (${layout})` });

    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const next = await cluster.waitForLeader({ exclude: [leader], timeoutMs: (cluster.leaderSessionTtl + 90) * 1000 });
    const failoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(
      `${layout} layout failover: ${leader.id} killed, ${next.id} SERVER_ACTIVE after ${failoverSeconds.toFixed(1)} s ` +
        `(leader-session-ttl ${cluster.leaderSessionTtl} s)`,
    );
    expect(next).not.toBe(leader);
    expect(failoverSeconds).toBeLessThan(cluster.leaderSessionTtl + 60);
    expect(await cluster.etcdLeaderId()).toBe(next.id);

    // Same identity, and the macaroon baked by the first leader works on the new one (root key is in the shared DB).
    const info = await ln.getWalletInfo({ lnd: next.lndWithMacaroon(cluster.macaroon) });
    expect(info.public_key).toBe(cluster.pubkey);
    // The invoice created before the kill is in the shared DB.
    const before = await ln.getInvoice({ lnd: next.lnd, id: invoice.id });
    expect(before.is_confirmed).toBe(false);

    // The customer reconnects to the new leader's p2p address; the channel (state in the shared DB) comes back.
    // By hand here, as this test has LND alone: without it the channel was still inactive 60 s after
    // the failover (tried 2026-12-02). With the server, ClusterBackend has the new leader dial its
    // channel peers (test/integration/lightning-cluster.test.ts pays with no manual step).
    await connectPeers(net.customer, next);
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
    console.log(`${layout} layout: kill → pre-failover invoice paid after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
  });
});
