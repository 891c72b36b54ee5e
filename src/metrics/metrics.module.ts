import { Global, Module } from '@nestjs/common';
import { CheckoutModule } from '../checkout/checkout.module';
import { CheckoutMetricsListener } from './checkout-metrics.listener';
import { DatabaseWriteQueueCollector } from './database-write-queue.collector';
import { LightningNodeCollector } from './lightning-node.collector';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { WebhookQueueCollector } from './webhook-queue.collector';

/** Global so any module (Lightning backends, webhooks, coordination) can inject MetricsService. */
@Global()
@Module({
  imports: [CheckoutModule],
  controllers: [MetricsController],
  providers: [MetricsService, CheckoutMetricsListener, LightningNodeCollector, WebhookQueueCollector, DatabaseWriteQueueCollector],
  exports: [MetricsService],
})
export class MetricsModule {}
