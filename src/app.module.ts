import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CheckoutModule } from './checkout/checkout.module';
import { HostedPageModule } from './checkout/page/hosted-page.module';
import { SchedulingModule } from './common/scheduling.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CoordinationModule } from './coordination/coordination.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { HomeModule } from './home/home.module';
import { InstancesModule } from './instances/instances.module';
import { LightningModule } from './lightning/lightning.module';
import { loggerParams } from './logging';
import { MetricsModule } from './metrics/metrics.module';
import { PaymentsModule } from './payments/payments.module';
import { PluginsModule } from './plugins/plugins.module';
import { RatesModule } from './rates/rates.module';
import { StoresModule } from './stores/stores.module';
import { DeliveryQueueModule } from './webhooks/delivery-queue.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // First, so its shutdown hook (it clears every interval) comes after the plugins' drain: see SchedulingModule.
        SchedulingModule.forRoot(),
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        DatabaseModule,
        InstancesModule,
        RatesModule,
        LightningModule,
        StoresModule,
        CheckoutModule,
        HostedPageModule,
        PaymentsModule,
        DeliveryQueueModule.forRoot(config),
        WebhooksModule,
        MetricsModule,
        CoordinationModule,
        HealthModule,
        HomeModule,
        PluginsModule.forRoot(config),
      ],
    };
  }
}
