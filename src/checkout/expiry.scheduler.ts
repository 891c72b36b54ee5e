import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CheckoutTransitions } from './checkout-transitions';

/**
 * Expires due checkouts. Conditional updates make it safe on every replica at once; when a
 * replica leader is elected (etcd), the sweep can be limited to it via `enabled`.
 */
@Injectable()
export class ExpiryScheduler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiryScheduler.name);
  private timer?: NodeJS.Timeout;
  private running = false;
  /** Turned off on replicas that are not the elected singleton. */
  enabled = true;

  constructor(
    private readonly transitions: CheckoutTransitions,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.checkout.expirySweepSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
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
