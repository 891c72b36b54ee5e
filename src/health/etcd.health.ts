import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EtcdConnection } from '../coordination/etcd-connection';
import { CHECK_CACHE_MS, CHECK_TIMEOUT_MS } from './health-limits';

@Injectable()
export class EtcdHealthIndicator {
  constructor(
    private readonly etcd: EtcdConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  get configured(): boolean {
    return this.etcd.configured;
  }

  check() {
    return this.health
      .check('etcd')
      .attempt(async () => {
        if (!this.etcd.client) return { configured: false };
        const status = await this.etcd.client.maintenance.status();
        return { version: status.version };
      })
      .withTimeout(CHECK_TIMEOUT_MS)
      .cacheFor(CHECK_CACHE_MS);
  }
}
