import 'reflect-metadata';
import { Module, ModuleMetadata, Type } from '@nestjs/common';

export const PLUGIN_METADATA = Symbol('checkout-plugin');

/** What a plugin declares about itself: read by the loader before Nest builds anything. */
export interface PluginManifest {
  /** Key under `plugins.` in the configuration and in `plugins.enabled`; also the route prefix by convention. */
  name: string;
  version: string;
  description?: string;
  /** A class-validator class: the plugin's settings under `plugins.<name>` are validated against it at start-up. */
  configSchema?: Type<object>;
  /**
   * TypeORM entities and migrations the plugin owns. They are collected statically (src/plugins/registry.ts),
   * because the DataSource is built before any plugin is loaded.
   */
  entities?: Function[];
  migrations?: Function[];
}

export type CheckoutPluginOptions = PluginManifest & ModuleMetadata;

/**
 * Marks a class as a checkout plugin: a Nest `@Module` (controllers, providers, imports) plus a
 * manifest the loader validates configuration against. Like Vendure's `@VendurePlugin`.
 */
export function CheckoutPlugin(options: CheckoutPluginOptions): ClassDecorator {
  const { name, version, description, configSchema, entities, migrations, ...moduleMetadata } = options;
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(name)) throw new Error(`Plugin name "${name}" must be 2-40 lower-case letters, digits or dashes`);
  const manifest: PluginManifest = { name, version, description, configSchema, entities: entities ?? [], migrations: migrations ?? [] };
  return (target: Function) => {
    Reflect.defineMetadata(PLUGIN_METADATA, manifest, target);
    Module(moduleMetadata)(target);
  };
}

export function pluginManifest(plugin: Function): PluginManifest {
  const manifest = Reflect.getMetadata(PLUGIN_METADATA, plugin) as PluginManifest | undefined;
  if (!manifest) throw new Error(`${plugin.name} is not decorated with @CheckoutPlugin`);
  return manifest;
}

/** The token a plugin's validated options are provided under (the config class is a token too). */
export function pluginOptionsToken(name: string): string {
  return `PLUGIN_OPTIONS:${name}`;
}
