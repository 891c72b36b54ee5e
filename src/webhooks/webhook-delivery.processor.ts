import { Logger } from '@nestjs/common';
import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, Job, Worker } from 'bullmq';
import { DeliveryHandler } from './delivery-queue';

export const WEBHOOK_QUEUE = 'webhook-delivery';

export interface DeliveryJob {
  deliveryId: string;
}

/**
 * The BullMQ consumer of webhook deliveries. DeliveryQueueModule decorates a subclass with
 * @Processor and the configured worker options (concurrency, lock duration, its own connection),
 * created with autorun off: BullmqDeliveryQueue.start() runs it once the dispatcher hands it the
 * handler. A retry moves the same job to the delayed set.
 */
export class WebhookDeliveryProcessor extends WorkerHost<Worker<DeliveryJob>> {
  private readonly logger = new Logger('BullmqDeliveryQueue');
  private handler?: DeliveryHandler;
  private lastErrorLogAt = 0;
  /** Attempts in flight, which shutdown waits for itself (see BullmqDeliveryQueue.stop). */
  readonly active = new Set<Promise<unknown>>();

  run(handler: DeliveryHandler): void {
    this.handler = handler;
    this.worker.run().catch((err: Error) => this.logRedisError(err));
  }

  async process(job: Job<DeliveryJob>, token?: string): Promise<void> {
    if (!this.handler) throw new Error('webhook delivery worker ran before it was started');
    const attempt = this.handler(job.data.deliveryId);
    this.active.add(attempt);
    const outcome = await attempt.finally(() => this.active.delete(attempt));
    if (outcome.kind === 'retry') {
      await job.moveToDelayed(outcome.at.getTime(), token);
      throw new DelayedError();
    }
  }

  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logRedisError(err);
  }

  @OnWorkerEvent('failed')
  onJobFailed(job: Job<DeliveryJob> | undefined, err: Error): void {
    this.logger.warn({ deliveryId: job?.data.deliveryId, err: err.message }, 'webhook job failed; the sweeper will retry it');
  }

  /** Redis being away is expected to happen; say so every few seconds, not on every retry. */
  logRedisError(err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.logger.warn({ err: err.message }, 'webhook queue: Redis error (deliveries stay pending in the database)');
  }
}
