import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { LightningService } from '../../src/lightning/lightning.service';
import { NodeHealth } from '../../src/lightning/lightning-backend';
import { startTestApp, TestApp } from '../support/test-app';

describe('health endpoints (embedded dev backend)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('/health/live answers without touching dependencies', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', uptimeSeconds: expect.any(Number) });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('/health/ready is 200 with the database and a node that can issue', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.lightning).toMatchObject({ status: 'up', canIssue: ['dev'] });
    // Neither Redis nor etcd is configured: they are not part of readiness.
    expect(res.body.details.redis).toBeUndefined();
    expect(res.body.details.etcd).toBeUndefined();
  });

  it('/health/nodes lists every node with its state, and the replica role', async () => {
    const res = await t.http.get('/health/nodes').expect(200);
    expect(res.body.replica).toMatchObject({ coordination: 'local', isLeader: true, replicaId: expect.any(String) });
    expect(res.body.replica.leaderId).toBe(res.body.replica.replicaId);
    expect(res.body.nodes).toEqual([expect.objectContaining({ name: 'dev', role: 'dev', reachable: true, canIssue: true, checkedAt: expect.any(String) })]);
    const replica = await t.http.get('/health/replica').expect(200);
    expect(replica.body.isLeader).toBe(true);
  });

  it('is not ready (503) while no node can issue, and ready again once one can', async () => {
    const lightning = t.app.get(LightningService);
    const real = lightning.health.bind(lightning);
    const down: NodeHealth = { ...real()[0], reachable: false, canIssue: false, lastError: `connect ECONNREFUSED; macaroon ${'ab'.repeat(40)}` };
    const spy = jest.spyOn(lightning, 'health').mockReturnValue([down]);
    try {
      const res = await t.http.get('/health/ready').expect(503);
      expect(res.body.status).toBe('error');
      expect(res.body.error.lightning.message).toMatch(/no Lightning node can issue invoices \(dev: unreachable\)/);
      const nodes = await t.http.get('/health/nodes').expect(200);
      expect(nodes.body.nodes[0]).toMatchObject({ reachable: false, canIssue: false });
      // Error text is passed through, but long credential-like tokens never reach this unauthenticated page.
      expect(nodes.body.nodes[0].lastError).toBe('connect ECONNREFUSED; macaroon [redacted]');
    } finally {
      spy.mockRestore();
    }
    await t.http.get('/health/ready').expect(200);
  });
});

describe('readiness with Redis configured and a hung etcd', () => {
  let t: TestApp;
  let hung: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // An "etcd" that accepts connections and never answers: the probe must give up on its own.
    hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const etcdUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    t = await startTestApp({
      config: {
        redis: { url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: `lc-health-${process.pid}-${Date.now()}` },
        etcd: { hosts: [etcdUrl] },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => hung?.close(r));
  });

  it('checks both; etcd down is degraded, not failing readiness (this replica still serves), within the probe timeout', async () => {
    const started = Date.now();
    const res = await t.http.get('/health/ready').expect(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.body.status).toBe('degraded');
    expect(res.body.info.redis.status).toBe('up');
    expect(res.body.details.etcd).toMatchObject({ status: 'degraded', message: expect.any(String), impact: expect.stringMatching(/singleton work .* paused/) });
    expect(res.body.error).toEqual({});
    expect(res.body.details.database.status).toBe('up');
    // A repeated probe within the cache window does not wait on etcd again.
    const again = Date.now();
    await t.http.get('/health/ready').expect(200);
    expect(Date.now() - again).toBeLessThan(1000);
    // Liveness does not depend on dependencies.
    await t.http.get('/health/live').expect(200);
  });

  it('takes checkouts while etcd is down', async () => {
    const { apiKey } = await t.createStore('etcd-down shop');
    const res = await t.http
      .post('/api/v1/checkouts')
      .set({ Authorization: `token ${apiKey}` })
      .send({ amount: 1000 })
      .expect(201);
    expect(res.body.status).toBe('New');
  });

  it('etcd down and no member able to issue: 503, the missing permission named, etcd still only degraded', async () => {
    const lightning = t.app.get(LightningService);
    const real = lightning.health.bind(lightning);
    const readonly: NodeHealth = {
      ...real()[0],
      reachable: true,
      canIssue: false,
      permissions: { verifiedBy: 'CheckMacaroonPermissions', granted: ['invoices:read', 'info:read', 'offchain:read'], missing: ['invoices:write'] },
      lastError: 'macaroon lacks invoices:write',
    };
    const spy = jest.spyOn(lightning, 'health').mockReturnValue([readonly]);
    try {
      const res = await t.http.get('/health/ready').expect(503);
      expect(res.body.status).toBe('error');
      expect(res.body.error.lightning.message).toMatch(/cannot issue \(macaroon lacks invoices:write\)/);
      expect(res.body.details.etcd.status).toBe('degraded');
    } finally {
      spy.mockRestore();
    }
  });

  it('a replica that cannot reach etcd does not claim the singleton work', async () => {
    const started = Date.now();
    const res = await t.http.get('/health/replica').expect(200);
    expect(res.body).toMatchObject({ coordination: 'etcd', isLeader: false, leaderId: null });
    // The leader lookup is bounded too.
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('readiness with Redis unreachable', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Nothing listens on port 1.
    t = await startTestApp({ config: { redis: { url: 'redis://127.0.0.1:1', prefix: `lc-health-down-${process.pid}` } } });
  });
  afterAll(() => t?.close());

  it('is ready but degraded, reports Redis down and etcd not part of it, and still takes checkouts', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.details.redis).toMatchObject({ status: 'degraded', message: expect.any(String), impact: expect.stringMatching(/webhook deliveries wait/) });
    expect(res.body.details.etcd).toBeUndefined();
    expect(res.body.details.lightning.status).toBe('up');
    const { apiKey } = await t.createStore('redis-down shop');
    const started = Date.now();
    const created = await t.http
      .post('/api/v1/checkouts')
      .set({ Authorization: `token ${apiKey}` })
      .send({ amount: 1000 })
      .expect(201);
    console.log(`checkout with Redis unreachable: ${Date.now() - started} ms`);
    expect(created.body.status).toBe('New');
    // The app keeps answering: nothing crashed behind the failed enqueues.
    await t.http.get('/health/live').expect(200);
  });
});
