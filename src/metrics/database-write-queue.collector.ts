import { Injectable, OnModuleInit } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { MetricsService } from './metrics.service';

/** The unit of work's write queue: depth and oldest wait as gauges, each unit's wait as a histogram. */
@Injectable()
export class DatabaseWriteQueueCollector implements OnModuleInit {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.setDatabaseWriteQueueSource(() => this.uow.stats());
    this.uow.onWait = (seconds) => this.metrics.databaseWriteWait(seconds);
  }
}
