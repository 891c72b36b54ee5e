import type { EntityClass, MigrationClass } from '../database/table-classes';
import { dirname } from 'node:path';
import { AppConfig } from '../config/app-config';
import { SERVER_VERSION } from '../common/version';
import { pluginManifest } from './checkout-plugin.decorator';
import { PluginTables1732360000000 } from './migrations/1732360000000-plugin-tables';
import { PluginConsumers1732620000001 } from './migrations/1732620000001-plugin-consumers';
import { PluginLeaseOwner1732660000002 } from './migrations/1732660000002-plugin-lease-owner';
import { DisabledPlugin, LoadedPlugin, resolvePlugins } from './plugin-config';
import { PluginConsumer } from './plugin-consumer.entity';
import { PluginDelivery } from './plugin-delivery.entity';
import { pluginFinder } from './plugin-loader';
import { PluginOrderLink } from './plugin-order-link.entity';

/** The core's own plugin tables (consumers, deliveries, order links): registered whichever plugins are enabled. */
export const PLUGIN_CORE_ENTITIES: EntityClass[] = [PluginConsumer, PluginDelivery, PluginOrderLink];
export const PLUGIN_CORE_MIGRATIONS: MigrationClass[] = [PluginTables1732360000000, PluginConsumers1732620000001, PluginLeaseOwner1732660000002];

export interface EnabledPlugins {
  loaded: LoadedPlugin[];
  disabled: DisabledPlugin[];
}

const resolved = new WeakMap<object, EnabledPlugins>();

/**
 * The plugins `plugins.enabled` names, loaded and checked once per configuration: the Nest module
 * graph and the DataSource (built first, with the enabled plugins' tables) share the result.
 */
export function enabledPlugins(config: AppConfig): EnabledPlugins {
  let result = resolved.get(config.plugins);
  if (!result) {
    const baseDir = config.configFile ? dirname(config.configFile) : process.cwd();
    result = resolvePlugins(config.plugins, pluginFinder({ baseDir, packagesFrom: process.cwd() }), SERVER_VERSION);
    resolved.set(config.plugins, result);
  }
  return result;
}

/** The entities and migrations of the enabled plugins (the core's plugin tables are in ENTITIES already). */
export function enabledPluginTables(config: AppConfig): { entities: EntityClass[]; migrations: MigrationClass[] } {
  const manifests = enabledPlugins(config).loaded.map((p) => pluginManifest(p.plugin));
  return { entities: manifests.flatMap((m) => m.entities ?? []), migrations: manifests.flatMap((m) => m.migrations ?? []) };
}
