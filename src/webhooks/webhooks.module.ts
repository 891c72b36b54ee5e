import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CheckoutModule } from '../checkout/checkout.module';
import { StoresModule } from '../stores/stores.module';
import { DeliveryRetention } from './delivery-retention';
import { DeliveryWorker } from './delivery-worker';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookFanout } from './webhook-fanout';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Signed webhooks from the checkout outbox; the queue they go through is DeliveryQueueModule's. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpoint, WebhookDelivery, WebhookAttempt]), StoresModule, CheckoutModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookFanout, DeliveryWorker, WebhookDispatcher, DeliveryRetention],
  exports: [WebhooksService, WebhookDispatcher, WebhookFanout],
})
export class WebhooksModule {}
