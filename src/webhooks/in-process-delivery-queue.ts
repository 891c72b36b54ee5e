import { Logger } from '@nestjs/common';
import { DeliveryHandler, DeliveryQueue } from './delivery-queue';

/** The embedded default: timers and a bounded pool of attempts in this process. */
export class InProcessDeliveryQueue extends DeliveryQueue {
  readonly mode = 'in-process' as const;
  private readonly logger = new Logger(InProcessDeliveryQueue.name);
  private handler?: DeliveryHandler;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly concurrency: number) {
    super();
  }

  async start(handler: DeliveryHandler): Promise<void> {
    this.handler = handler;
    this.stopped = false;
  }

  async enqueue(deliveryId: string, at: Date): Promise<void> {
    if (this.stopped || this.timers.has(deliveryId) || this.queued.has(deliveryId) || this.running.has(deliveryId)) return;
    const delay = at.getTime() - Date.now();
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(deliveryId);
        this.push(deliveryId);
      }, delay);
      timer.unref();
      this.timers.set(deliveryId, timer);
    } else {
      this.push(deliveryId);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
    await Promise.all(this.running.values());
  }

  private push(deliveryId: string): void {
    if (this.stopped || this.queued.has(deliveryId) || this.running.has(deliveryId)) return;
    this.queued.add(deliveryId);
    this.ready.push(deliveryId);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.handler && this.running.size < this.concurrency && this.ready.length > 0) {
      const id = this.ready.shift() as string;
      this.queued.delete(id);
      this.running.set(id, this.run(id));
    }
  }

  private async run(deliveryId: string): Promise<void> {
    let retryAt: Date | undefined;
    try {
      const outcome = await (this.handler as DeliveryHandler)(deliveryId);
      if (outcome.kind === 'retry') retryAt = outcome.at;
    } catch (err) {
      // The delivery is still pending in the database; the sweeper brings it back.
      this.logger.error({ err, deliveryId }, 'webhook attempt failed unexpectedly');
    } finally {
      this.running.delete(deliveryId);
    }
    if (retryAt) await this.enqueue(deliveryId, retryAt);
    this.pump();
  }
}
