import type { EntityClass, MigrationClass } from '../database/table-classes';
import 'reflect-metadata';
import { Module, ModuleMetadata, Type } from '@nestjs/common';
import { validRange } from 'semver';

/**
 * A registered symbol, not a module-local one: a plugin that brings its own copy of this module
 * (an external plugin built against an installed server) marks its class under the same key.
 */
export const PLUGIN_METADATA = Symbol.for('lightning-checkout:plugin-manifest');

/** What a plugin declares about itself: read by the loader before Nest builds anything. */
export interface PluginManifest {
  /** Key under `plugins.` in the configuration; also the route prefix by convention. */
  name: string;
  version: string;
  /** The server versions the plugin works with, as a semver range (`^0.1.0`); checked at start-up. */
  compatibility: string;
  description?: string;
  /** A class-validator class: the plugin's settings under `plugins.<name>` are validated against it at start-up. */
  configSchema?: Type<object>;
  /**
   * TypeORM entities and migrations the plugin owns. The loader resolves `plugins.enabled` before
   * the DataSource is built, and registers those of the enabled plugins only.
   */
  entities?: EntityClass[];
  migrations?: MigrationClass[];
}

export type CheckoutPluginOptions = PluginManifest & ModuleMetadata;

/** Keys of the `plugins` section that are the loader's own, so no plugin can be named after them. */
export const RESERVED_PLUGIN_KEYS = ['enabled', 'onError'];

/**
 * What is wrong with a manifest's name or compatibility, or undefined. The loader asks again: a
 * plugin built with another copy of this decorator writes its manifest under the same key.
 */
export function manifestProblem({ name, compatibility }: Pick<PluginManifest, 'name' | 'compatibility'>): string | undefined {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9-]{1,39}$/.test(name) || RESERVED_PLUGIN_KEYS.includes(name))
    return `plugin name "${String(name)}" must be 2-40 lower-case letters, digits or dashes, and not ${RESERVED_PLUGIN_KEYS.join(' or ')}`;
  if (typeof compatibility !== 'string' || validRange(compatibility) === null)
    return `plugin "${name}": compatibility must be a semver range of server versions, e.g. "^0.1.0" (got ${JSON.stringify(compatibility)})`;
  return undefined;
}

/**
 * Marks a class as a checkout plugin: a Nest `@Module` (controllers, providers, imports) plus a
 * manifest the loader validates configuration against. Like Vendure's `@VendurePlugin`.
 */
export function CheckoutPlugin(options: CheckoutPluginOptions): ClassDecorator {
  const { name, version, compatibility, description, configSchema, entities, migrations, ...moduleMetadata } = options;
  const problem = manifestProblem({ name, compatibility });
  if (problem) throw new Error(problem.charAt(0).toUpperCase() + problem.slice(1));
  const manifest: PluginManifest = { name, version, compatibility, description, configSchema, entities: entities ?? [], migrations: migrations ?? [] };
  return (target) => {
    Reflect.defineMetadata(PLUGIN_METADATA, manifest, target);
    Module(moduleMetadata)(target);
  };
}

export function isCheckoutPlugin(value: unknown): value is Type<unknown> {
  return typeof value === 'function' && Reflect.hasOwnMetadata(PLUGIN_METADATA, value);
}

export function pluginManifest(plugin: Type<unknown>): PluginManifest {
  const manifest = Reflect.getMetadata(PLUGIN_METADATA, plugin) as PluginManifest | undefined;
  if (!manifest) throw new Error(`${plugin.name} is not decorated with @CheckoutPlugin`);
  return manifest;
}

/** The token a plugin's validated options are provided under (the config class is a token too). */
export function pluginOptionsToken(name: string): string {
  return `PLUGIN_OPTIONS:${name}`;
}
