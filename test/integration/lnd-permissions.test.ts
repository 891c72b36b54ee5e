// Macaroon variants against real LND: each is checked at start-up and on every probe, missing
// permissions are named in /health/nodes, readiness only says "ready" when a node can issue, and
// a macaroon revoked at run time takes the node out. Also: etcd stopped while the pool can serve.
import { join, dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { ln, startEtcd, startNetwork, stopAll, waitFor, type Etcd, type LndNode, type Network } from '../harness';
import { startTestApp, type TestApp } from '../support/test-app';
import { pay, shopClient } from './lightning-support';
import type { NodeHealthView } from '../../src/health/node-health.view';

jest.setTimeout(10 * 60_000);

const lightning = { healthIntervalSeconds: 1, reconcileIntervalSeconds: 3600 };
const LEAST_PRIVILEGE = ['invoices:write', 'invoices:read', 'info:read', 'offchain:read', 'macaroon:read'];

/** The stock macaroons lnd writes next to admin.macaroon. */
const stockMacaroon = (node: LndNode, file: 'invoice.macaroon' | 'readonly.macaroon') =>
  readFileSync(join(dirname(node.macaroonPath), file)).toString('base64');

function backendWith(node: LndNode, macaroon: string, name = node.name): Record<string, unknown> {
  return { type: 'lnd', name, socket: node.socket, cert: node.certPath, macaroon, timeoutMs: 3000 };
}

describe('LND macaroon permissions (real lnd)', () => {
  let net: Network;
  let a: LndNode;
  let b: LndNode;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    net = await startNetwork({ merchants: 2 });
    [a, b] = net.merchants;
    console.log(`network setup took ${(net.setupMs / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    for (const t of apps) await t.close().catch(() => undefined);
    await stopAll();
  });

  async function app(backend: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TestApp> {
    const startedAt = Date.now();
    const t = await startTestApp({ config: { lightning: { ...lightning, backend }, ...extra } });
    apps.push(t);
    console.log(`  app started in ${Date.now() - startedAt} ms`);
    return t;
  }
  const nodes = async (t: TestApp): Promise<NodeHealthView[]> => (await t.http.get('/health/nodes').timeout(10_000).expect(200)).body.nodes;
  const ready = async (t: TestApp) => (await t.http.get('/health/ready').timeout(10_000)).status;

  it("another node's macaroon: reachable, rejected by name, not ready, checkouts 503", async () => {
    const t = await app(backendWith(a, b.macaroon));
    const [node] = await nodes(t);
    expect(node).toMatchObject({
      name: a.name,
      reachable: true,
      canIssue: false,
      permissions: expect.objectContaining({ granted: [], rejected: expect.any(String) }),
    });
    expect(node.permissions!.missing).toEqual(expect.arrayContaining(['invoices:write', 'invoices:read']));
    console.log(`  wrong node's macaroon → rejected: ${node.permissions!.rejected}`);
    const res = await t.http.get('/health/ready').expect(503);
    expect(res.body.error.lightning.message).toContain(`${a.name}: cannot issue (the node rejected the macaroon)`);
    const { apiKey } = await t.createStore('wrong-mac shop');
    expect((await shopClient(t, apiKey).create({ amount: 1000 })).status).toBe(503);
    // Never the macaroon itself on this unauthenticated page.
    const hex = Buffer.from(b.macaroon, 'base64').toString('hex');
    const page = JSON.stringify(await nodes(t));
    expect(page).not.toContain(b.macaroon);
    expect(page).not.toContain(hex);
  });

  it('a pool whose only member has readonly.macaroon is not ready, and every checkout gets 503', async () => {
    const t = await app({ type: 'pool', name: 'ro-pool', members: [backendWith(a, stockMacaroon(a, 'readonly.macaroon'))] });
    const [node] = await nodes(t);
    expect(node).toMatchObject({
      reachable: true,
      canIssue: false,
      permissions: {
        verifiedBy: 'CheckMacaroonPermissions',
        missing: ['invoices:write'],
        granted: ['invoices:read', 'info:read', 'offchain:read'],
        rejected: null,
      },
    });
    const { apiKey } = await t.createStore('readonly shop');
    const shop = shopClient(t, apiKey);
    const statuses: number[] = [];
    const readiness: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await shop.create({ amount: 1000 })).status);
      readiness.push(await ready(t));
      await new Promise((r) => setTimeout(r, 300)); // across several probes: no flapping back to "ready"
    }
    console.log(`  readonly pool: readiness ${readiness.join(',')}; checkouts ${statuses.join(',')}`);
    expect(readiness.every((s) => s === 503)).toBe(true);
    expect(statuses.every((s) => s === 503)).toBe(true);
    const res = await t.http.get('/health/ready').expect(503);
    expect(res.body.error.lightning.message).toContain('macaroon lacks invoices:write');
  });

  it('the stock invoice.macaroon issues and gets paid, with liquidity unknown and a warning', async () => {
    const t = await app(backendWith(a, stockMacaroon(a, 'invoice.macaroon')));
    await waitFor('ready', async () => (await ready(t)) === 200, { timeoutMs: 30_000, intervalMs: 250 });
    const [node] = await nodes(t);
    expect(node).toMatchObject({
      canIssue: true,
      liquidity: 'unknown',
      inboundSats: null,
      syncedToChain: null,
      permissions: { verifiedBy: 'calls', granted: ['invoices:write', 'invoices:read'], missing: ['info:read', 'offchain:read'], rejected: null },
    });
    expect(node.warnings.join(' ')).toMatch(/offchain:read: inbound liquidity unknown/);
    const { apiKey } = await t.createStore('invoice-mac shop');
    const shop = shopClient(t, apiKey);
    const created = await shop.create({ amount: 2000 });
    expect(created.status).toBe(201);
    expect(created.body.nodePubkey).toBe(a.pubkey);
    const paidAt = Date.now();
    await pay(net.customer, created.body.bolt11);
    await shop.waitStatus(created.body.id, 'Settled');
    console.log(`  invoice.macaroon: paid and Settled ${Date.now() - paidAt} ms after paying began`);
    // The pubkey learnt from the first invoice now shows on the health page.
    expect((await nodes(t))[0].pubkey).toBe(a.pubkey);
  });

  it('a baked least-privilege macaroon is verified with CheckMacaroonPermissions and issues', async () => {
    const { macaroon } = await ln.grantAccess({ lnd: a.lnd, permissions: LEAST_PRIVILEGE });
    const t = await app(backendWith(a, macaroon));
    await waitFor('ready', async () => (await ready(t)) === 200, { timeoutMs: 30_000, intervalMs: 250 });
    const [node] = await nodes(t);
    expect(node).toMatchObject({
      canIssue: true,
      liquidity: 'known',
      warnings: [],
      permissions: { verifiedBy: 'CheckMacaroonPermissions', missing: [], rejected: null },
    });
    expect(node.inboundSats).toBeGreaterThan(0);
    const { apiKey } = await t.createStore('least-priv shop');
    const created = await shopClient(t, apiKey).create({ amount: 1500 });
    expect(created.status).toBe(201);
  });

  it('a macaroon revoked at run time takes the member out, with the reason, and the pool moves on', async () => {
    const id = String(1000 + Math.floor(Math.random() * 1000));
    const { macaroon } = await ln.grantAccess({ lnd: a.lnd, id, permissions: LEAST_PRIVILEGE });
    const t = await app({ type: 'pool', name: 'rev-pool', members: [backendWith(a, macaroon), backendWith(b, b.macaroon)] });
    await waitFor('both members can issue', async () => (await nodes(t)).every((n) => n.canIssue), { timeoutMs: 30_000, intervalMs: 250 });
    const revokedAt = Date.now();
    await ln.revokeAccess({ lnd: a.lnd, id });
    const out = await waitFor(
      `${a.name} out after revocation`,
      async () => {
        const n = (await nodes(t)).find((x) => x.name === a.name)!;
        return !n.canIssue && n;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const outMs = Date.now() - revokedAt;
    console.log(
      `  revoked root key ${id}: member out after ${outMs} ms (probe every ${lightning.healthIntervalSeconds} s); reason: ${out.permissions?.rejected}`,
    );
    expect(out).toMatchObject({
      reachable: true,
      canIssue: false,
      permissions: expect.objectContaining({ rejected: expect.stringMatching(/root key|macaroon|verification/i) }),
    });
    expect(out.lastError).toMatch(/rejected the macaroon.*missing invoices:write, invoices:read/);
    // Every checkout goes to the other member now; readiness holds.
    const { apiKey } = await t.createStore('revoked shop');
    const shop = shopClient(t, apiKey);
    for (let i = 0; i < 5; i++) {
      const created = await shop.create({ amount: 1000, customerId: `c-${i}` });
      expect(created.status).toBe(201);
      expect(created.body.nodeName).toBe(b.name);
    }
    expect(await ready(t)).toBe(200);
  });

  describe('etcd stopped while the pool can serve', () => {
    let etcd: Etcd;
    let t: TestApp;

    beforeAll(async () => {
      etcd = await startEtcd({ name: 'app-etcd' });
      t = await app(
        { type: 'pool', name: 'etcd-pool', members: [backendWith(a, a.macaroon), backendWith(b, b.macaroon)] },
        { etcd: { hosts: [etcd.clientUrl], electionTtlSeconds: 2 } },
      );
    });

    it('readiness stays 200 with etcd degraded, the singleton work pauses, checkouts succeed', async () => {
      await waitFor('singleton leader', async () => (await t.http.get('/health/replica').expect(200)).body.isLeader === true, {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      expect(await ready(t)).toBe(200);
      const stoppedAt = Date.now();
      await etcd.stop();
      const { apiKey } = await t.createStore('etcd-down shop');
      const shop = shopClient(t, apiKey);
      const readiness: number[] = [];
      let created = 0;
      let degradedAt: number | undefined;
      let pausedAt: number | undefined;
      while (Date.now() - stoppedAt < 8000) {
        const res = await t.http.get('/health/ready').timeout(10_000);
        readiness.push(res.status);
        if (res.body.details?.etcd?.status === 'degraded') degradedAt ??= Date.now();
        if (!pausedAt && (await t.http.get('/health/replica').expect(200)).body.isLeader === false) pausedAt = Date.now();
        const c = await shop.create({ amount: 1000 });
        expect(c.status).toBe(201);
        created++;
      }
      console.log(
        `  etcd stopped: ${created} checkouts created, readiness ${readiness.filter((s) => s === 200).length}/${readiness.length} × 200; ` +
          `etcd degraded after ${degradedAt ? degradedAt - stoppedAt : 'never'} ms; singleton work paused after ${pausedAt ? pausedAt - stoppedAt : 'never'} ms`,
      );
      expect(readiness.every((s) => s === 200)).toBe(true);
      expect(degradedAt).toBeDefined();
      expect(pausedAt).toBeDefined();
      const res = await t.http.get('/health/ready').expect(200);
      expect(res.body).toMatchObject({ status: 'degraded', details: { etcd: { status: 'degraded' }, lightning: { status: 'up' } } });
    });
  });
});
