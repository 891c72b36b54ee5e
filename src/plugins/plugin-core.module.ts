import { Global, Module } from '@nestjs/common';
import { CheckoutModule } from '../checkout/checkout.module';
import { PluginRates } from '../plugin-api/plugin-rates';
import { PluginServer } from '../plugin-api/plugin-server';
import { PLUGIN_ENTITIES, PluginStorage } from '../plugin-api/plugin-storage';
import { AppConfig } from '../config/app-config';
import { enabledPluginTables } from './registry';
import { PluginWebhooks } from '../plugin-api/plugin-webhooks';
import { StoresModule } from '../stores/stores.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PluginCheckouts } from './plugin-checkouts.service';
import { PluginEvents } from './plugin-events.service';
import { PluginOrderLinks } from './plugin-order-links.service';

const FACADES = [PluginEvents, PluginOrderLinks, PluginCheckouts, PluginWebhooks, PluginRates, PluginServer, PluginStorage];

/**
 * What every plugin can inject (src/plugin-api exports these): durable checkout events, order
 * links, checkouts, the core's webhooks, rates and server facts, and transactions for the plugin's
 * own entities. StoresModule is exported for ApiKeyGuard, which plugins' controllers instantiate.
 */
@Global()
@Module({
  imports: [CheckoutModule, StoresModule, WebhooksModule],
  providers: [...FACADES, { provide: PLUGIN_ENTITIES, inject: [AppConfig], useFactory: (config: AppConfig) => enabledPluginTables(config).entities }],
  exports: [...FACADES, StoresModule],
})
export class PluginCoreModule {}
