import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { CHECK_CACHE_MS, CHECK_TIMEOUT_MS } from './health-limits';

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    private readonly health: HealthIndicatorService,
  ) {}

  check() {
    return this.health
      .check('database')
      .attempt(async () => {
        // Reads can still answer while writes are stuck (a lock held elsewhere, a wedged queue):
        // a replica that cannot write cannot take checkouts.
        const { depth, oldestWaitMs, stalled } = this.uow.stats();
        const bound = this.config.database.readyMaxWriteWaitMs;
        // Writes gave up on a busy database and none is queued to find out whether they would go
        // through now: an empty transaction (BEGIN IMMEDIATE, COMMIT) does, so readiness recovers
        // without waiting for traffic the load balancer no longer sends.
        if (stalled && depth === 0) this.uow.run(async () => undefined).catch(() => undefined);
        if (oldestWaitMs > bound) {
          const what = stalled
            ? `writes have been failing on a busy database (${depth} queued) for ${oldestWaitMs} ms`
            : `the oldest of ${depth} queued writes has waited ${oldestWaitMs} ms`;
          throw new Error(`${what} (bound ${bound} ms)`);
        }
        await this.dataSource.query('SELECT 1');
        return { type: this.dataSource.options.type, writeQueueDepth: depth };
      })
      .withTimeout(CHECK_TIMEOUT_MS)
      .cacheFor(CHECK_CACHE_MS);
  }
}
