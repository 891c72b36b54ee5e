import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import IORedis from 'ioredis';
import { DeliveryQueue } from '../../src/webhooks/delivery-queue';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher';
import { waitFor, WebhookReceiver } from '../e2e/webhooks-receiver';
import { createTestDatabase, TestDatabase } from '../support/test-db';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(90_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Redis of this suite's own, without persistence, so a kill -9 really loses every job. */
class OwnRedis {
  private proc?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const client = new IORedis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    await waitFor(
      async () => {
        try {
          if (client.status !== 'ready') await client.connect();
          return (await client.ping()) === 'PONG';
        } catch {
          client.disconnect();
          return false;
        }
      },
      10_000,
      `redis-server on ${this.port}`,
    );
    client.disconnect();
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }
}

const FAST = { backoffBaseMs: 300, backoffMaxMs: 1000, pollIntervalMs: 250, timeoutMs: 5000, maxAttempts: 20 };

describe('webhooks through BullMQ (own redis-server)', () => {
  let redis: OwnRedis;
  let receiver: WebhookReceiver;
  let db: TestDatabase;
  let t: TestApp | undefined;
  const prefix = `lc-test-${process.pid}-${Date.now()}`;
  const config = () => ({ redis: { url: redis.url, prefix }, webhooks: FAST });

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    receiver = await new WebhookReceiver().start();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
    await receiver?.stop();
    await db?.drop();
  });

  async function hook(app: TestApp, auth: Record<string, string>, path: string, behaviour: Parameters<WebhookReceiver['route']>[1]) {
    const res = await app.http
      .post('/api/v1/webhooks')
      .set(auth)
      .send({ url: receiver.route(path, behaviour), events: ['InvoiceCreated'] })
      .expect(201);
    receiver.setSecret(path, res.body.secret);
    return res.body.id as string;
  }

  it('delivers signed events through BullMQ jobs keyed by the delivery id', async () => {
    t = await startTestApp({ db, config: config() });
    expect(t.app.get(DeliveryQueue).mode).toBe('bullmq');
    const { apiKey } = await t.createStore();
    const auth = { Authorization: `token ${apiKey}` };
    await hook(t, auth, '/plain', (n) => (n === 1 ? 500 : 200));
    const c = (await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 7 }).expect(201)).body;
    await waitFor(() => receiver.accepted('/plain').length === 1, 20_000, 'delivered via BullMQ');
    const [first, second] = receiver.on('/plain');
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second).toMatchObject({ v1Valid: true, btcpayValid: true });
    expect(second.body.checkoutId).toBe(c.id);
    const client = new IORedis(redis.url);
    try {
      expect((await client.keys(`${prefix}:webhook-delivery:*`)).length).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });

  it('loses nothing when Redis is killed (-9) and restarted empty mid-delivery', async () => {
    t ??= await startTestApp({ db, config: config() });
    const { apiKey } = await t.createStore('redis-crash');
    const auth = { Authorization: `token ${apiKey}` };
    let redisBack = false;
    // One endpoint is answering slowly when Redis dies; the other has retries parked in Redis.
    await hook(t, auth, '/slow', (n) => (n === 1 ? { status: 200, delayMs: 2500 } : 200));
    await hook(t, auth, '/flaky', () => (redisBack ? 200 : 503));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(
        (
          await t.http
            .post('/api/v1/checkouts')
            .set(auth)
            .send({ amount: 10 + i })
            .expect(201)
        ).body.id,
      );
    await waitFor(() => receiver.on('/slow').length >= 1 && receiver.on('/flaky').length >= 2, 20_000, 'deliveries in flight and retrying');

    expect(receiver.on('/slow')[0].answered).toBe('pending');
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    redisBack = true;

    await waitFor(
      () => receiver.accepted('/slow').length === 4 && receiver.accepted('/flaky').length === 4,
      45_000,
      'every event delivered after the Redis restart',
    );
    for (const path of ['/slow', '/flaky']) {
      const accepted = receiver.accepted(path);
      expect(accepted.map((r) => r.body.checkoutId)).toEqual(ids);
      expect(new Set(accepted.map((r) => r.headers['webhook-id'])).size).toBe(4);
      expect(accepted.every((r) => r.v1Valid)).toBe(true);
    }
    // Nothing is sent again once accepted.
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.accepted('/slow')).toHaveLength(4);
    expect(receiver.accepted('/flaky')).toHaveLength(4);
  });

  it('delivers after a restart an event committed while the server was going down', async () => {
    t ??= await startTestApp({ db, config: config() });
    const { apiKey } = await t.createStore('restart');
    const auth = { Authorization: `token ${apiKey}` };
    await hook(t, auth, '/after-restart', () => 200);
    await t.app.get(WebhookDispatcher).onModuleDestroy();
    const c = (await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 3 }).expect(201)).body;
    await t.close();
    t = undefined;
    expect(receiver.on('/after-restart')).toHaveLength(0);
    t = await startTestApp({ db, config: config() });
    await waitFor(() => receiver.accepted('/after-restart').length === 1, 20_000, 'delivered by the restarted server');
    expect(receiver.accepted('/after-restart')[0].body.checkoutId).toBe(c.id);
  });
});
