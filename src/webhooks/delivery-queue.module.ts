import { BullModule, Processor } from '@nestjs/bullmq';
import { DynamicModule, Module, Type } from '@nestjs/common';
import type { RedisOptions } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { ATTEMPT_TIMEOUT_MS, BullmqDeliveryQueue } from './bullmq-delivery-queue';
import { DeliveryQueue } from './delivery-queue';
import { InProcessDeliveryQueue } from './in-process-delivery-queue';
import { WEBHOOK_QUEUE, WebhookDeliveryProcessor } from './webhook-delivery.processor';

/** ioredis's own reconnect backoff (BullMQ's default for connections it creates waits up to 20 s). */
const retryStrategy = (times: number) => Math.min(times * 50, 2000);

/**
 * The webhook delivery queue, chosen at start-up: BullMQ (through @nestjs/bullmq) when `redis.url`
 * is set, in-process otherwise. Global, so WebhooksModule stays a plain module that plugins import.
 */
@Module({})
export class DeliveryQueueModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.redis.url) {
      return {
        module: DeliveryQueueModule,
        global: true,
        providers: [{ provide: DeliveryQueue, inject: [AppConfig], useFactory: (c: AppConfig) => new InProcessDeliveryQueue(c.webhooks.concurrency) }],
        exports: [DeliveryQueue],
      };
    }
    const url = config.redis.url;
    // The worker waits for Redis; the producer fails fast while Redis is away (the sweeper retries).
    const workerConnection: RedisOptions = { url, maxRetriesPerRequest: null, retryStrategy };
    const producerConnection: RedisOptions = { url, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy };
    return {
      module: DeliveryQueueModule,
      global: true,
      imports: [
        BullModule.forRoot({ prefix: config.redis.prefix, connection: workerConnection }),
        BullModule.registerQueue({ name: WEBHOOK_QUEUE, connection: producerConnection }),
      ],
      providers: [
        { provide: WebhookDeliveryProcessor, useClass: configuredProcessor(config, workerConnection) },
        { provide: ATTEMPT_TIMEOUT_MS, useValue: config.webhooks.timeoutMs },
        BullmqDeliveryQueue,
        { provide: DeliveryQueue, useExisting: BullmqDeliveryQueue },
      ],
      exports: [DeliveryQueue],
    };
  }
}

/** Worker options come from configuration, so the @Processor class is made per app. */
function configuredProcessor(config: AppConfig, connection: RedisOptions): Type<WebhookDeliveryProcessor> {
  @Processor(WEBHOOK_QUEUE, {
    connection,
    concurrency: config.webhooks.concurrency,
    // The job lock must outlive the longest attempt.
    lockDuration: config.webhooks.timeoutMs + 30_000,
    autorun: false,
  })
  class ConfiguredWebhookDeliveryProcessor extends WebhookDeliveryProcessor {}
  return ConfiguredWebhookDeliveryProcessor;
}
