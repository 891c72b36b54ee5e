import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ScheduledJob, ScheduledJobs } from '../common/scheduled-job';
import { AppConfig } from '../config/app-config';
import { CheckoutTransitions } from './checkout-transitions';

/**
 * Expires due checkouts. Conditional updates make it safe on every replica at once; when a
 * replica leader is elected (etcd), the sweep can be limited to it via `enabled`.
 */
@Injectable()
export class ExpiryScheduler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiryScheduler.name);
  private job?: ScheduledJob;
  private running = false;
  /** Turned off on replicas that are not the elected singleton. */
  enabled = true;

  constructor(
    private readonly transitions: CheckoutTransitions,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
  ) {}

  onModuleInit(): void {
    this.job = this.jobs.every({ name: 'expiry-sweep', everyMs: this.config.checkout.expirySweepSeconds * 1000, run: () => this.sweep() });
  }

  onApplicationShutdown(): void {
    void this.job?.stop();
  }

  async sweep(): Promise<number> {
    if (!this.enabled || this.running) return 0;
    this.running = true;
    try {
      const expired = await this.transitions.expireDue();
      if (expired) this.logger.log({ expired }, 'expired checkouts');
      return expired;
    } catch (err) {
      this.logger.error({ err }, 'expiry sweep failed');
      return 0;
    } finally {
      this.running = false;
    }
  }
}
