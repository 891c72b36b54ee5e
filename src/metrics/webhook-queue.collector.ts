import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { MetricsService } from './metrics.service';

const QUERY_TIMEOUT_MS = 1000;

/**
 * Webhook queue depth as the database sees it: deliveries still pending, whichever queue (BullMQ
 * or in-process) will send them. Bounded, so a slow database cannot stall a scrape.
 */
@Injectable()
export class WebhookQueueCollector implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.setWebhookQueueDepthFallback(() => this.pending());
  }

  private async pending(): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), QUERY_TIMEOUT_MS)));
    try {
      return await Promise.race([this.dataSource.getRepository(WebhookDelivery).count({ where: { status: 'pending' } }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
