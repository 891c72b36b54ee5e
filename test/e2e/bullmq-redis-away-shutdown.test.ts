import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { DeliveryQueue } from '../../src/webhooks/delivery-queue';
import { WebhookDeliveryProcessor } from '../../src/webhooks/webhook-delivery.processor';
import { startTestApp, TestApp } from '../support/test-app';
import { dropRedisPrefix, REDIS_URL } from '../support/redis';

/**
 * Shutdown with the @nestjs/bullmq worker must stay bounded when Redis has gone away: the queue's
 * own stop() bounds BullMQ's closes, and Nest's later closes of the same worker and queue must not
 * wait on the unbounded promises it gave up on.
 */
jest.setTimeout(60_000);

/** A TCP proxy to Redis that can be made to stop answering (a partition) or refuse (Redis down). */
async function redisProxy(): Promise<{ url: string; partition(): void; refuse(): Promise<void>; resume(): Promise<void> }> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  let silent = false;
  const onClient = (client: Socket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (silent) return; // accepted, never answered
    const upstream = createConnection(Number(target.port || 6379), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('data', (d) => (silent ? undefined : upstream.write(d)));
    upstream.on('data', (d) => (silent ? undefined : client.write(d)));
    client.on('close', () => upstream.destroy());
  };
  let server: Server = createServer(onClient);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    partition: () => void (silent = true),
    refuse: async () => {
      if (!server.listening) return;
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
    resume: async () => {
      silent = false;
      server = createServer(onClient);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
  };
}

async function closesWithin(t: TestApp, ms: number): Promise<number | 'hung'> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([t.close().then(() => Date.now() - started), new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), ms)))]);
  clearTimeout(timer);
  return outcome;
}

for (const how of ['refuse', 'partition'] as const) {
  it(`closes in bounded time when Redis went away (${how}) while the server ran`, async () => {
    const prefix = `lc-away-${how}-${process.pid}-${Date.now()}`;
    const proxy = await redisProxy();
    const t = await startTestApp({ config: { redis: { url: proxy.url, prefix }, webhooks: { timeoutMs: 1000 } } });
    try {
      // Let the worker get into its blocking fetch on Redis.
      await new Promise((r) => setTimeout(r, 500));
      if (how === 'refuse') await proxy.refuse();
      else proxy.partition();
      await new Promise((r) => setTimeout(r, 300));
      // The old hand-built queue bounded its close at attempt timeout + 2 s + 3 s + 2 s + 1 s.
      expect(await closesWithin(t, 20_000)).not.toBe('hung');
    } finally {
      await proxy.refuse().catch(() => undefined);
      await dropRedisPrefix(prefix);
    }
  });
}

it('starts and closes in bounded time when Redis is down from the start', async () => {
  const proxy = await redisProxy();
  await proxy.refuse();
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const t = await Promise.race([
    startTestApp({ config: { redis: { url: proxy.url, prefix: `lc-down-${process.pid}` }, webhooks: { timeoutMs: 1000 } } }),
    new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 20_000))),
  ]);
  clearTimeout(timer);
  expect(t).not.toBe('hung');
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(await closesWithin(t as TestApp, 20_000)).not.toBe('hung');
});

it('the worker takes jobs again once Redis is back', async () => {
  const prefix = `lc-back-${process.pid}-${Date.now()}`;
  const proxy = await redisProxy();
  const t = await startTestApp({ config: { redis: { url: proxy.url, prefix }, webhooks: { timeoutMs: 1000 } } });
  try {
    await new Promise((r) => setTimeout(r, 500));
    await proxy.refuse();
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.resume();
    const worker = t.app.get(WebhookDeliveryProcessor).worker;
    const taken = new Promise<string | undefined>((resolve) => worker.on('completed', (job) => resolve(job.id)));
    // The producer fails fast while its connection is still coming back; the sweeper would retry, so does this.
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await t.app.get(DeliveryQueue).enqueue('whd_after_outage', new Date());
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([taken, new Promise<'not taken'>((r) => (timer = setTimeout(() => r('not taken'), 20_000)))]);
    clearTimeout(timer);
    expect(outcome).toBe('whd_after_outage');
  } finally {
    await t.close();
    await proxy.refuse().catch(() => undefined);
    await dropRedisPrefix(prefix);
  }
});
