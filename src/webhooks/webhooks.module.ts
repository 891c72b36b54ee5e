import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CheckoutModule } from '../checkout/checkout.module';
import { AppConfig } from '../config/app-config';
import { StoresModule } from '../stores/stores.module';
import { BullmqDeliveryQueue } from './bullmq-delivery-queue';
import { DeliveryRetention } from './delivery-retention';
import { DeliveryQueue } from './delivery-queue';
import { DeliveryWorker } from './delivery-worker';
import { InProcessDeliveryQueue } from './in-process-delivery-queue';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookFanout } from './webhook-fanout';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Signed webhooks from the checkout outbox: BullMQ when `redis.url` is set, in-process otherwise. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpoint, WebhookDelivery, WebhookAttempt]), StoresModule, CheckoutModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookFanout,
    DeliveryWorker,
    WebhookDispatcher,
    DeliveryRetention,
    {
      provide: DeliveryQueue,
      inject: [AppConfig],
      useFactory: (config: AppConfig): DeliveryQueue =>
        config.redis.url
          ? new BullmqDeliveryQueue({
              url: config.redis.url,
              prefix: config.redis.prefix,
              concurrency: config.webhooks.concurrency,
              attemptTimeoutMs: config.webhooks.timeoutMs,
            })
          : new InProcessDeliveryQueue(config.webhooks.concurrency),
    },
  ],
  exports: [WebhooksService, WebhookDispatcher, WebhookFanout],
})
export class WebhooksModule {}
