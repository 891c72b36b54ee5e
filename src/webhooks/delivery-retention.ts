import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { In, LessThan } from 'typeorm';
import { ScheduledJob, ScheduledJobs } from '../common/scheduled-job';
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
  private job?: ScheduledJob;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
  ) {}

  onModuleInit(): void {
    if (this.config.webhooks.retentionDays === 0) return;
    // A failed prune is logged under the job's name and tried again in an hour.
    this.job = this.jobs.every({ name: 'webhook-retention', everyMs: HOUR_MS, run: () => this.prune() });
  }

  onApplicationShutdown(): void {
    void this.job?.stop();
  }

  /** Deletes what has expired by `now`; returns how many deliveries went. */
  async prune(now = new Date()): Promise<number> {
    const days = this.config.webhooks.retentionDays;
    if (days === 0) return 0;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    let total = 0;
    for (;;) {
      const removed = await this.uow.run(async (m) => {
        const old = await m.find(WebhookDelivery, {
          select: { seq: true },
          where: { status: In(['succeeded', 'failed']), completedAt: LessThan(cutoff) },
          order: { seq: 'ASC' },
          take: BATCH,
        });
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
