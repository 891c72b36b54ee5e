import { SchedulerRegistry } from '@nestjs/schedule';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { BullmqDeliveryQueue, WEBHOOK_QUEUE } from '../../src/webhooks/bullmq-delivery-queue';
import { DeliveryQueue } from '../../src/webhooks/delivery-queue';
import { InProcessDeliveryQueue } from '../../src/webhooks/in-process-delivery-queue';
import { WebhookDeliveryProcessor } from '../../src/webhooks/webhook-delivery.processor';
import { startTestApp, TestApp } from '../support/test-app';
import { dropRedisPrefix, REDIS_URL } from '../support/redis';

/**
 * The framework's own tools under the loops and the queue: every periodic loop is a named interval
 * in Nest's SchedulerRegistry, and with Redis configured webhook deliveries go through
 * @nestjs/bullmq's queue and worker, set up from the configuration and closed at shutdown.
 */

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Redis clients whose name carries the prefix (BullMQ names its connections `<prefix>:<queue>…`). */
async function clientsNamed(prefix: string): Promise<number> {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const list = (await redis.client('LIST')) as string;
    return list.split('\n').filter((line) => line.includes(`name=${prefix}:`)).length;
  } finally {
    redis.disconnect();
  }
}

it('registers each periodic loop under its name, and removes them all at shutdown', async () => {
  t = await startTestApp();
  const registry = t.app.get(SchedulerRegistry);
  expect(registry.getIntervals().sort()).toEqual(['expiry-sweep', 'instance-heartbeat', 'reconcile', 'webhook-retention', 'webhook-sweep']);
  await t.close();
  expect(registry.getIntervals()).toEqual([]);
  t = undefined;
});

it('without Redis, deliveries go through the in-process queue', async () => {
  t = await startTestApp();
  expect(t.app.get(DeliveryQueue)).toBeInstanceOf(InProcessDeliveryQueue);
});

it('with Redis, the BullMQ worker is configured from the config, runs, and is closed with its connections at shutdown', async () => {
  const prefix = `lc-queue-${process.pid}-${Date.now()}`;
  t = await startTestApp({ config: { redis: { url: REDIS_URL, prefix }, webhooks: { concurrency: 3, timeoutMs: 7000 } } });
  try {
    expect(t.app.get(DeliveryQueue)).toBeInstanceOf(BullmqDeliveryQueue);
    const worker = t.app.get(WebhookDeliveryProcessor).worker;
    expect(worker.name).toBe('webhook-delivery');
    expect(worker.opts).toMatchObject({ concurrency: 3, lockDuration: 37_000, prefix, autorun: false });
    expect(worker.isRunning()).toBe(true);
    // Redis errors and failed jobs are logged by the processor (its @OnWorkerEvent handlers).
    expect(worker.listenerCount('error')).toBeGreaterThan(0);
    expect(worker.listenerCount('failed')).toBeGreaterThan(0);
    // An unknown delivery is a no-op for the worker; the job goes and nothing is left behind.
    // The producer writes where the worker reads: a job it adds is taken by this worker.
    expect(t.app.get<Queue>(getQueueToken(WEBHOOK_QUEUE)).opts.prefix).toBe(prefix);
    const taken = new Promise<string | undefined>((resolve) => worker.once('completed', (job: Job<{ deliveryId: string }>) => resolve(job.id)));
    await t.app.get(DeliveryQueue).enqueue('whd_unknown', new Date());
    expect(await taken).toBe('whd_unknown');
    const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const deadline = Date.now() + 10_000;
      while ((await redis.exists(`${prefix}:webhook-delivery:whd_unknown`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await redis.exists(`${prefix}:webhook-delivery:whd_unknown`)).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect(await clientsNamed(prefix)).toBeGreaterThan(0);
    await t.close();
    t = undefined;
    expect(worker.isRunning()).toBe(false);
    expect(await clientsNamed(prefix)).toBe(0);
  } finally {
    await dropRedisPrefix(prefix);
  }
});
