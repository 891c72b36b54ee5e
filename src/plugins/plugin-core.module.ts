import { Global, Module } from '@nestjs/common';
import { CheckoutModule } from '../checkout/checkout.module';
import { StoresModule } from '../stores/stores.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PluginCheckouts } from './plugin-checkouts.service';
import { PluginEvents } from './plugin-events.service';
import { PluginOrderLinks } from './plugin-order-links.service';

/** What every plugin can inject: durable checkout events, order links, checkout creation for orders. */
@Global()
@Module({
  imports: [CheckoutModule, StoresModule, WebhooksModule],
  providers: [PluginEvents, PluginOrderLinks, PluginCheckouts],
  exports: [PluginEvents, PluginOrderLinks, PluginCheckouts, CheckoutModule, StoresModule],
})
export class PluginCoreModule {}
