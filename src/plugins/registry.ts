import { Type } from '@nestjs/common';
import { GreenfieldPlugin } from '../../plugins/greenfield/greenfield.plugin';
import { ShopifyPlugin } from '../../plugins/shopify/shopify.plugin';
import { WooCommercePlugin } from '../../plugins/woocommerce/woocommerce.plugin';
import { pluginManifest } from './checkout-plugin.decorator';
import { PluginTables1732360000000 } from './migrations/1732360000000-plugin-tables';
import { PluginConsumers1732620000001 } from './migrations/1732620000001-plugin-consumers';
import { PluginLeaseOwner1732660000002 } from './migrations/1732660000002-plugin-lease-owner';
import { PluginConsumer } from './plugin-consumer.entity';
import { PluginDelivery } from './plugin-delivery.entity';
import { PluginOrderLink } from './plugin-order-link.entity';

/**
 * Every plugin this build knows. `plugins.enabled` picks among them; their entities and
 * migrations are always registered (the DataSource is built before plugins load, and a table
 * that exists unused is harmless, while one missing after enabling a plugin is not).
 */
export const KNOWN_PLUGINS: readonly Type<unknown>[] = [WooCommercePlugin, ShopifyPlugin, GreenfieldPlugin];

export const PLUGIN_ENTITIES: Function[] = [PluginConsumer, PluginDelivery, PluginOrderLink, ...KNOWN_PLUGINS.flatMap((p) => pluginManifest(p).entities ?? [])];
export const PLUGIN_MIGRATIONS: Function[] = [PluginTables1732360000000, PluginConsumers1732620000001, PluginLeaseOwner1732660000002, ...KNOWN_PLUGINS.flatMap((p) => pluginManifest(p).migrations ?? [])];
