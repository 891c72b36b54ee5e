import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DeliveryHandler, DeliveryQueue } from './delivery-queue';
import { DeliveryJob, WEBHOOK_QUEUE, WebhookDeliveryProcessor } from './webhook-delivery.processor';

export { WEBHOOK_QUEUE } from './webhook-delivery.processor';

/** Longest an attempt can take, so shutdown knows how long to wait for the ones in flight. */
export const ATTEMPT_TIMEOUT_MS = Symbol('ATTEMPT_TIMEOUT_MS');

/**
 * Delivery through BullMQ: one job per delivery with `jobId` = delivery id (see jobId()), so
 * enqueueing twice is harmless; a retry moves the same job to the delayed set. Redis only schedules: if it loses
 * the jobs, the database still has every pending delivery and the sweeper enqueues them again.
 * The queue (producer) and the worker (WebhookDeliveryProcessor) are @nestjs/bullmq's.
 */
@Injectable()
export class BullmqDeliveryQueue extends DeliveryQueue {
  readonly mode = 'bullmq' as const;

  constructor(
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliveryJob>,
    private readonly processor: WebhookDeliveryProcessor,
    @Inject(ATTEMPT_TIMEOUT_MS) private readonly attemptTimeoutMs: number,
  ) {
    super();
    this.queue.on('error', (err) => this.processor.logRedisError(err));
  }

  async start(handler: DeliveryHandler): Promise<void> {
    this.processor.run(handler);
  }

  async enqueue(deliveryId: string, at: Date, generation = 0): Promise<void> {
    await this.queue.add(
      'deliver',
      { deliveryId },
      { jobId: jobId(deliveryId, generation), delay: Math.max(0, at.getTime() - Date.now()), attempts: 1, removeOnComplete: true, removeOnFail: true },
    );
  }

  /**
   * Runs in the dispatcher's onModuleDestroy, before @nestjs/bullmq closes the worker and the queue
   * at application shutdown: those closes then find them closed already.
   */
  async stop(): Promise<void> {
    const worker = this.processor.worker;
    // Attempts in flight are bounded by the attempt timeout: wait for them (plus slack) ourselves,
    // because BullMQ's graceful close waits for Redis, forever if Redis is away.
    worker.pause(true).catch(() => undefined);
    await bounded(Promise.allSettled([...this.processor.active]), this.attemptTimeoutMs + 2000);
    const redisUp = await isReady(worker.getBackend().client);
    if (
      !(await bounded(
        worker.close(!redisUp).catch((err: Error) => this.processor.logRedisError(err)),
        3000,
      ))
    )
      await bounded(worker.disconnect(), 1000);
    if (
      !(await bounded(
        this.queue.close().catch((err: Error) => this.processor.logRedisError(err)),
        2000,
      ))
    )
      await bounded(this.queue.disconnect(), 1000);
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

/** Whether the connection is up now; its client promise never settles while Redis has not answered. */
async function isReady(client: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const status = await Promise.race([
    client.then((c) => (c as { status?: string }).status).catch(() => undefined),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 100))),
  ]);
  clearTimeout(timer);
  return status === 'ready';
}

/** True when the work finished within `ms`. */
async function bounded(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    work?.then(
      () => true,
      () => true,
    ) ?? true,
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return finished;
}
