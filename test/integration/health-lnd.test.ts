// Readiness and the per-node breakdown against real LND: a single node dying and coming back, and
// an LND cluster failing over to a new leader.
import { startNetwork, stopAll, waitFor, type LndCluster, type LndNode, type Network } from '../harness';
import { startTestApp, type TestApp } from '../support/test-app';
import { lndBackend } from './lightning-support';
import type { NodeHealthView } from '../../src/health/node-health.view';

jest.setTimeout(10 * 60_000);

const SESSION_TTL_SECONDS = 5;

type NodeView = NodeHealthView;

describe('health on real LND nodes', () => {
  let net: Network;
  let merchant: LndNode;
  let cluster: LndCluster;
  let single: TestApp;
  let clustered: TestApp;

  const lightning = { healthIntervalSeconds: 1, reconcileIntervalSeconds: 3600 };

  beforeAll(async () => {
    net = await startNetwork({ merchants: 1, clusters: [{ members: 2, leaderSessionTtl: SESSION_TTL_SECONDS }] });
    merchant = net.merchants[0];
    cluster = net.clusters[0];
    console.log(`network + cluster setup took ${(net.setupMs / 1000).toFixed(1)} s`);
    single = await startTestApp({ config: { lightning: { ...lightning, backend: lndBackend(merchant, { timeoutMs: 1500 }) } } });
    clustered = await startTestApp({
      config: {
        lightning: {
          ...lightning,
          backend: {
            type: 'cluster',
            name: 'shop-cluster',
            timeoutMs: 1500,
            clusterMembers: cluster.members.map((m) => ({ name: m.name, clusterId: m.id, socket: m.socket, cert: cluster.cert, macaroon: cluster.macaroon })),
            etcd: { hosts: [net.etcd!.clientUrl], electionKey: `${cluster.namespace}${cluster.electionPrefix}` },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await single?.close().catch(() => undefined);
    await clustered?.close().catch(() => undefined);
    await stopAll();
  });

  const ready = async (t: TestApp) => (await t.http.get('/health/ready').timeout(10_000)).status;
  const nodes = async (t: TestApp): Promise<NodeView[]> => (await t.http.get('/health/nodes').timeout(10_000).expect(200)).body.nodes;

  it('readiness follows the only node: 503 within seconds of its death, 200 once it is back', async () => {
    await waitFor('the single-node replica to be ready', async () => (await ready(single)) === 200, { timeoutMs: 60_000, intervalMs: 250 });
    expect(await nodes(single)).toEqual([
      expect.objectContaining({ name: merchant.name, role: 'independent', reachable: true, syncedToChain: true, canIssue: true, lastError: null }),
    ]);
    const [up] = await nodes(single);
    expect(up.activeChannels).toBeGreaterThanOrEqual(1);
    expect(up.inboundSats).toBeGreaterThan(0);

    const killedAt = Date.now();
    await merchant.kill('SIGKILL');
    await waitFor('readiness to drop', async () => (await ready(single)) === 503, { timeoutMs: 20_000, intervalMs: 100 });
    const notReadyMs = Date.now() - killedAt;
    const res = await single.http.get('/health/ready').expect(503);
    expect(res.body.error.lightning.message).toContain(`${merchant.name}: unreachable`);
    const [down] = await nodes(single);
    expect(down).toMatchObject({ name: merchant.name, reachable: false, canIssue: false, lastError: expect.any(String) });
    const metrics = (await single.http.get('/metrics').expect(200)).text;
    expect(metrics).toContain(`lightning_node_up{node="${merchant.name}",group="",role="independent"} 0`);
    // Liveness is unaffected: the process is fine, only this replica cannot take checkouts.
    await single.http.get('/health/live').expect(200);

    const restartAt = Date.now();
    await merchant.restart();
    await waitFor('readiness to return', async () => (await ready(single)) === 200, { timeoutMs: 120_000, intervalMs: 250 });
    const readyAgainMs = Date.now() - restartAt;
    console.log(`single node: not ready ${notReadyMs} ms after SIGKILL; ready again ${readyAgainMs} ms after the restart began`);
    expect(notReadyMs).toBeLessThan(20_000);
    expect((await nodes(single))[0]).toMatchObject({ reachable: true, canIssue: true });
  });

  it('/health/nodes shows the cluster leader change, and readiness recovers on the new leader', async () => {
    await waitFor('the cluster replica to be ready', async () => (await ready(clustered)) === 200, { timeoutMs: 60_000, intervalMs: 250 });
    const leader = (await cluster.leader())!;
    const before = await nodes(clustered);
    expect(before.map((n) => [n.name, n.role]).sort()).toEqual(cluster.members.map((m) => [m.name, m === leader ? 'leader' : 'follower']).sort());
    expect(before.every((n) => n.group === 'shop-cluster')).toBe(true);
    expect(before.find((n) => n.role === 'leader')).toMatchObject({ name: leader.name, canIssue: true });

    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const after = await waitFor(
      'a new leader on /health/nodes',
      async () => {
        const now = await nodes(clustered);
        const next = now.find((n) => n.role === 'leader' && n.canIssue);
        return next && next.name !== leader.name && now;
      },
      { timeoutMs: (SESSION_TTL_SECONDS + 90) * 1000, intervalMs: 250 },
    );
    const followMs = Date.now() - killedAt;
    const next = after.find((n) => n.role === 'leader')!;
    expect(next.name).toBe((await cluster.leader())!.name);
    expect(after.find((n) => n.name === leader.name)).toMatchObject({ role: 'follower', reachable: false, canIssue: false });
    expect(next.failovers).toBeGreaterThanOrEqual(1);
    expect(await ready(clustered)).toBe(200);
    const metrics = (await clustered.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^lightning_failovers_total\{group="shop-cluster"\} [1-9]/m);
    expect(metrics).toContain(`lightning_node_can_issue{node="${next.name}",group="shop-cluster",role="leader"} 1`);
    console.log(
      `cluster: ${leader.name} killed; /health/nodes showed ${next.name} as leader after ${followMs} ms (leader-session-ttl ${SESSION_TTL_SECONDS} s)`,
    );
  });
});
