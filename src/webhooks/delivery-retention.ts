import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { In, LessThan } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { WebhookDelivery } from './webhook-delivery.entity';

/** Deliveries removed per transaction, so a large backlog never holds the database for long. */
const BATCH = 500;
const HOUR_MS = 3_600_000;

/**
 * Deletes finished webhook deliveries (and, by cascade, their attempts) once they are older than
 * `webhooks.retentionDays`, every hour. Pending deliveries are never touched, whatever their age.
 * Idempotent DELETEs, so every replica may run it.
 */
@Injectable()
export class DeliveryRetention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.webhooks.retentionDays === 0) return;
    this.timer = setInterval(() => void this.prune().catch((err: Error) => this.logger.warn({ err: err.message }, 'pruning old webhook deliveries failed; retrying in an hour')), HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes what has expired by `now`; returns how many deliveries went. */
  async prune(now = new Date()): Promise<number> {
    const days = this.config.webhooks.retentionDays;
    if (days === 0) return 0;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    let total = 0;
    for (;;) {
      const removed = await this.uow.run(async (m) => {
        const old = await m.find(WebhookDelivery, { select: { seq: true }, where: { status: In(['succeeded', 'failed']), completedAt: LessThan(cutoff) }, order: { seq: 'ASC' }, take: BATCH });
        if (old.length > 0) await m.delete(WebhookDelivery, { seq: In(old.map((d) => d.seq)) });
        return old.length;
      });
      total += removed;
      if (removed < BATCH) break;
    }
    if (total > 0) this.logger.log({ deleted: total, olderThanDays: days }, 'pruned finished webhook deliveries');
    return total;
  }
}
