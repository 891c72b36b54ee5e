import { Logger } from '@nestjs/common';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { DeliveryHandler, DeliveryQueue } from './delivery-queue';

export const WEBHOOK_QUEUE = 'webhook-delivery';

interface DeliveryJob {
  deliveryId: string;
}

export interface BullmqQueueOptions {
  url: string;
  prefix: string;
  concurrency: number;
  /** Longest an attempt can take; the job lock must outlive it. */
  attemptTimeoutMs: number;
}

/**
 * Delivery through BullMQ: one job per delivery with `jobId` = delivery id (see jobId()), so
 * enqueueing twice is harmless; a retry moves the same job to the delayed set. Redis only schedules: if it loses
 * the jobs, the database still has every pending delivery and the sweeper enqueues them again.
 */
export class BullmqDeliveryQueue extends DeliveryQueue {
  readonly mode = 'bullmq' as const;
  private readonly logger = new Logger(BullmqDeliveryQueue.name);
  private readonly producerConnection: IORedis;
  private readonly workerConnection: IORedis;
  private readonly queue: Queue<DeliveryJob>;
  private worker?: Worker<DeliveryJob>;
  private lastErrorLogAt = 0;
  private readonly active = new Set<Promise<unknown>>();

  constructor(private readonly options: BullmqQueueOptions) {
    super();
    // The producer fails fast while Redis is away (the sweeper retries); the worker waits for it.
    this.producerConnection = new IORedis(options.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    this.workerConnection = new IORedis(options.url, { maxRetriesPerRequest: null });
    for (const c of [this.producerConnection, this.workerConnection]) c.on('error', (err) => this.logRedisError(err));
    this.queue = new Queue<DeliveryJob>(WEBHOOK_QUEUE, { connection: this.producerConnection, prefix: options.prefix });
    this.queue.on('error', (err) => this.logRedisError(err));
  }

  async start(handler: DeliveryHandler): Promise<void> {
    this.worker = new Worker<DeliveryJob>(
      WEBHOOK_QUEUE,
      async (job: Job<DeliveryJob>, token?: string) => {
        const attempt = handler(job.data.deliveryId);
        this.active.add(attempt);
        const outcome = await attempt.finally(() => this.active.delete(attempt));
        if (outcome.kind === 'retry') {
          await job.moveToDelayed(outcome.at.getTime(), token);
          throw new DelayedError();
        }
      },
      {
        connection: this.workerConnection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.attemptTimeoutMs + 30_000,
      },
    );
    this.worker.on('error', (err) => this.logRedisError(err));
    this.worker.on('failed', (job, err) => this.logger.warn({ deliveryId: job?.data.deliveryId, err: err.message }, 'webhook job failed; the sweeper will retry it'));
  }

  async enqueue(deliveryId: string, at: Date, generation = 0): Promise<void> {
    await this.queue.add(
      'deliver',
      { deliveryId },
      { jobId: jobId(deliveryId, generation), delay: Math.max(0, at.getTime() - Date.now()), attempts: 1, removeOnComplete: true, removeOnFail: true },
    );
  }

  async stop(): Promise<void> {
    // Attempts in flight are bounded by the attempt timeout: wait for them (plus slack) ourselves,
    // because BullMQ's graceful close waits for Redis, forever if Redis is away.
    this.worker?.pause(true).catch(() => undefined);
    await bounded(Promise.allSettled([...this.active]), this.options.attemptTimeoutMs + 2000);
    const redisUp = this.workerConnection.status === 'ready';
    await bounded(this.worker?.close(!redisUp).catch((err) => this.logRedisError(err)), 3000);
    await bounded(this.queue.close().catch((err) => this.logRedisError(err)), 2000);
    await Promise.all([close(this.workerConnection), close(this.producerConnection)]);
  }

  /** Redis being away is expected to happen; say so every few seconds, not on every retry. */
  private logRedisError(err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.logger.warn({ err: err.message }, 'webhook queue: Redis error (deliveries stay pending in the database)');
  }
}

/**
 * The delivery id, and after a dead instance's lease was taken back its generation too: that
 * instance's job may still sit in Redis's active list until BullMQ's stall check, long after.
 * Delivery ids never contain '.'.
 */
export function jobId(deliveryId: string, generation: number): string {
  return generation > 0 ? `${deliveryId}.${generation}` : deliveryId;
}

/** QUIT when Redis answers (closes the socket at once); disconnect when it does not within a second. */
async function close(connection: IORedis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') return connection.disconnect();
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 1000)));
  const outcome = await Promise.race([connection.quit().catch(() => 'error' as const), gaveUp]);
  clearTimeout(timer);
  if (outcome !== 'OK') connection.disconnect();
}

async function bounded(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
