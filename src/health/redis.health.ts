import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { CHECK_CACHE_MS, CHECK_TIMEOUT_MS } from './health-limits';

/**
 * Pings Redis on a connection of its own: without an offline queue, a PING while Redis is away
 * fails at once instead of waiting for a reconnect. Only the very first connection is waited for
 * (within the probe's time limit), so a probe right after start-up does not report a Redis that is
 * up as down.
 */
@Injectable()
export class RedisHealthIndicator implements OnApplicationShutdown {
  private readonly client: Redis | null;
  private readonly firstConnect?: Promise<void>;

  constructor(
    config: AppConfig,
    private readonly health: HealthIndicatorService,
  ) {
    this.client = config.redis.url
      ? new Redis(config.redis.url, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: CHECK_TIMEOUT_MS,
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
          connectionName: 'lightning-checkout-health',
        })
      : null;
    this.client?.on('error', () => undefined); // state is reported by the probe, not logged per retry
    this.firstConnect = this.client?.connect().catch(() => undefined);
  }

  get configured(): boolean {
    return this.client !== null;
  }

  check() {
    return this.health
      .check('redis')
      .attempt(async () => {
        if (!this.client) return { configured: false };
        if (this.client.status === 'connecting' || this.client.status === 'connect') await this.firstConnect;
        const answer: string = await this.client.ping();
        if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
        return {};
      })
      .withTimeout(CHECK_TIMEOUT_MS)
      .cacheFor(CHECK_CACHE_MS);
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}
