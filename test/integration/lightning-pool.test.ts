// The pool backend on real LND nodes: affinity, illiquid nodes, a node killed mid-run, and no
// payment lost while the server or the node that issued an invoice was down.
import { LightningService } from '../../src/lightning/lightning.service';
import { rendezvousOrder } from '../../src/lightning/pool/selection';
import { ln, startNetwork, stopAll, waitFor, type LndNode, type Network } from '../harness';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/test-db';
import { lndBackend, pay, settledEvents, shopClient } from './lightning-support';

jest.setTimeout(10 * 60_000);

describe('lightning pool on real LND nodes', () => {
  let net: Network;
  let db: TestDatabase;
  const apps: TestApp[] = [];
  let apiKey: string;
  let names: string[];

  const config = () => ({
    lightning: {
      backend: {
        type: 'pool',
        name: 'pool',
        minInboundSats: 10_000,
        // The first member with file paths, the second with inline base64 cert + hex macaroon.
        members: net.merchants.map((m, i) => lndBackend(m, { inline: i === 1 })),
      },
      healthIntervalSeconds: 1,
      // Long on purpose: these tests must pass through start-up and reconnect reconciliation alone.
      reconcileIntervalSeconds: 3600,
    },
  });
  const startApp = async () => {
    const app = await startTestApp({ db, config: config() });
    apps.push(app);
    return app;
  };
  const closeApp = async (app: TestApp) => {
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  };
  const nodeHealth = (app: TestApp, name: string) =>
    app.app
      .get(LightningService)
      .health()
      .find((h) => h.name === name)!;
  const owner = (customerId: string) => rendezvousOrder(customerId, names)[0];
  /** Customers whose rendezvous owner (over all members) is this node. */
  const customersOf = (node: string, count: number) => {
    const out: string[] = [];
    for (let i = 0; out.length < count; i++) if (owner(`customer-${i}`) === node) out.push(`customer-${i}`);
    return out;
  };
  const waitCanIssue = (app: TestApp, node: LndNode) =>
    waitFor(`${node.name} to be able to issue again`, () => nodeHealth(app, node.name).canIssue, { timeoutMs: 90_000, intervalMs: 250 });

  beforeAll(async () => {
    net = await startNetwork({ merchants: 3 });
    console.log(`network setup took ${(net.setupMs / 1000).toFixed(1)} s`);
    names = net.merchants.map((m) => m.name);
    db = await createTestDatabase();
    const app = await startApp();
    apiKey = (await app.createStore('Pool shop')).apiKey;
    for (const m of net.merchants) await waitCanIssue(app, m);
  });

  afterAll(async () => {
    let t0 = Date.now();
    for (const app of [...apps]) await app.close().catch(() => undefined);
    console.log(`apps closed in ${Date.now() - t0} ms`);
    t0 = Date.now();
    await db?.drop();
    console.log(`db dropped in ${Date.now() - t0} ms`);
    await stopAll();
  });

  it('keeps each customer on their node, reports which node issued it, and spreads anonymous checkouts', async () => {
    const shop = shopClient(apps[0], apiKey);
    const customers = Array.from({ length: 9 }, (_, i) => `customer-${i}`);
    for (const customerId of customers) {
      const first = await shop.create({ amount: 1000, customerId });
      const second = await shop.create({ amount: 2000, customerId });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(first.body.nodeName).toBe(owner(customerId));
      expect(second.body.nodeName).toBe(first.body.nodeName);
      expect(first.body.nodePubkey).toBe(net.merchants.find((m) => m.name === first.body.nodeName)!.pubkey);
    }
    const anonymous = await Promise.all([1, 2, 3].map(() => shop.create({ amount: 500 })));
    expect(new Set(anonymous.map((r) => r.body.nodeName))).toEqual(new Set(names));
  });

  it('a payment streamed from the node settles the checkout', async () => {
    const shop = shopClient(apps[0], apiKey);
    const created = await shop.create({ amount: 3210, customerId: 'customer-streamed' });
    await pay(net.customer, created.body.bolt11);
    const settled = await shop.waitStatus(created.body.id, 'Settled', 30_000);
    expect(settled).toMatchObject({ status: 'Settled' });
    expect(await settledEvents(apps[0], created.body.id)).toBe(1);
  });

  it('skips a node without enough inbound liquidity for large amounts only', async () => {
    const [, , illiquid] = net.merchants;
    // Drain the customer's side of its channel to merchant3: merchant3 can then receive little.
    for (let i = 0; i < 2; i++) {
      const invoice = await ln.createInvoice({ lnd: illiquid.lnd, tokens: 2_400_000 });
      await pay(net.customer, invoice.request);
    }
    const app = apps[0];
    await waitFor('the pool to see merchant3 illiquid', () => nodeHealth(app, illiquid.name).inboundSats < 500_000, { timeoutMs: 30_000, intervalMs: 250 });
    console.log(`merchant3 inbound after draining: ${nodeHealth(app, illiquid.name).inboundSats} sats`);
    const shop = shopClient(app, apiKey);
    for (const customerId of customersOf(illiquid.name, 3)) {
      const large = await shop.create({ amount: 1_000_000, customerId });
      expect(large.status).toBe(201);
      expect(large.body.nodeName).not.toBe(illiquid.name);
      const small = await shop.create({ amount: 10_000, customerId });
      expect(small.body.nodeName).toBe(illiquid.name);
    }
    // More than any node can receive: a clear 503, not an unpayable invoice.
    const tooLarge = await shop.create({ amount: 6_000_000, customerId: 'whale' });
    expect(tooLarge.status).toBe(503);
    expect(tooLarge.body.code).toBe('lightning_unavailable');
  });

  it('a node killed mid-run: checkouts keep succeeding on the others, only its customers move, they return after restart', async () => {
    const [victim] = net.merchants;
    const app = apps[0];
    const shop = shopClient(app, apiKey);
    const victims = customersOf(victim.name, 3);
    const others = ['customer-0', 'customer-1', 'customer-2', 'customer-3', 'customer-4'].filter((c) => owner(c) !== victim.name);
    const results: Array<{ status: number; node: string; afterKill: boolean; customerId: string }> = [];
    let killed = false;
    const load = (async () => {
      for (let i = 0; i < 40; i++) {
        const customerId = [...victims, ...others][i % (victims.length + others.length)];
        const afterKill = killed;
        const res = await shop.create({ amount: 1500, customerId });
        results.push({ status: res.status, node: res.body.nodeName, afterKill, customerId });
      }
    })();
    await waitFor('some checkouts before the kill', () => results.length >= 8, { timeoutMs: 60_000, intervalMs: 20 });
    await victim.kill();
    killed = true;
    await load;

    expect(results.filter((r) => r.status !== 201)).toEqual([]);
    const afterKill = results.filter((r) => r.afterKill);
    expect(afterKill.length).toBeGreaterThan(10);
    expect(afterKill.filter((r) => r.node === victim.name)).toEqual([]);
    // Customers of the surviving nodes never moved.
    for (const r of results.filter((x) => others.includes(x.customerId))) expect(r.node).toBe(owner(r.customerId));

    await victim.restart();
    await waitCanIssue(app, victim);
    for (const customerId of victims) expect((await shop.create({ amount: 1500, customerId })).body.nodeName).toBe(victim.name);
  });

  it('a hung node (SIGSTOP) cannot hang a checkout: the request moves on after the RPC timeout', async () => {
    const [, hung] = net.merchants;
    const app = apps[0];
    const shop = shopClient(app, apiKey);
    const customerId = customersOf(hung.name, 1)[0];
    hung.pause();
    try {
      const started = Date.now();
      const res = await shop.create({ amount: 1200, customerId });
      const tookMs = Date.now() - started;
      console.log(`checkout with its node paused took ${tookMs} ms (member timeoutMs 3000)`);
      expect(res.status).toBe(201);
      expect(res.body.nodeName).not.toBe(hung.name);
      expect(tookMs).toBeLessThan(20_000);
      await waitFor('the paused node to be seen as unreachable', () => !nodeHealth(app, hung.name).reachable, { timeoutMs: 30_000, intervalMs: 250 });
    } finally {
      hung.resume();
    }
    await waitCanIssue(app, hung);
    expect((await shop.create({ amount: 1200, customerId })).body.nodeName).toBe(hung.name);
  });

  it('payments made while the server was stopped and the issuing node then died are applied exactly once after each comes back', async () => {
    const [victim, healthy] = net.merchants;
    let shop = shopClient(apps[0], apiKey);
    const onVictim = await shop.create({ amount: 4321, customerId: customersOf(victim.name, 1)[0] });
    const onHealthy = await shop.create({ amount: 1234, customerId: customersOf(healthy.name, 1)[0] });
    expect([onVictim.body.nodeName, onHealthy.body.nodeName]).toEqual([victim.name, healthy.name]);

    await closeApp(apps[0]);
    // The server is down while both customers pay; then the node that issued the first invoice dies.
    await pay(net.customer, onVictim.body.bolt11);
    await pay(net.customer, onHealthy.body.bolt11);
    await victim.kill();

    // Scale-out replicas share PostgreSQL: then two start at once and both reconcile at start-up.
    // (SQLite is the embedded single-replica mode.)
    const [a, b = a] = await Promise.all(TEST_DB === 'postgres' ? [startApp(), startApp()] : [startApp()]);
    shop = shopClient(a, apiKey);
    await shop.waitStatus(onHealthy.body.id, 'Settled', 30_000);
    expect((await shop.get(onVictim.body.id)).status).toBe('New');
    // The dead node does not make new checkouts fail.
    const meanwhile = await shop.create({ amount: 999, customerId: customersOf(victim.name, 1)[0] });
    expect(meanwhile.status).toBe(201);
    expect(meanwhile.body.nodeName).not.toBe(victim.name);

    await victim.restart();
    const settled = await shop.waitStatus(onVictim.body.id, 'Settled', 60_000);
    expect(settled.status).toBe('Settled');
    expect(await settledEvents(a, onVictim.body.id)).toBe(1);
    expect(await settledEvents(b, onHealthy.body.id)).toBe(1);
  });
});
