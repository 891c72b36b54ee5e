import { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { PluginsConfig } from '../config/app-config';
import { ConfigError } from '../config/load-config';
import { pluginManifest } from './checkout-plugin.decorator';

export interface LoadedPlugin {
  name: string;
  plugin: Type<unknown>;
  /** An instance of the plugin's configSchema (or a plain object when it declares none). */
  options: object;
}

export interface DisabledPlugin {
  name: string;
  reason: string;
}

/** Keys of the `plugins` section that are the loader's own, not a plugin's settings. */
export const RESERVED_PLUGIN_KEYS = ['enabled', 'onError'];

function flatten(errors: ValidationError[], prefix: string): string[] {
  const out: string[] = [];
  for (const error of errors) {
    const key = `${prefix}.${error.property}`;
    for (const message of Object.values(error.constraints ?? {})) out.push(`${key}: ${message}`);
    out.push(...flatten(error.children ?? [], key));
  }
  return out;
}

/** Validates one plugin's settings; problems name the full key, e.g. `plugins.woocommerce.sites.0.consumerSecret`. */
export function validatePluginOptions(plugin: Function, raw: unknown): { options: object; problems: string[] } {
  const { name, configSchema } = pluginManifest(plugin);
  const prefix = `plugins.${name}`;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    // The kind of value only: a plugin's settings are mostly credentials (consumer secrets, access tokens).
    return { options: {}, problems: [`${prefix}: must be a mapping of settings (got ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : `a ${typeof raw}`})`] };
  }
  const plain = (raw ?? {}) as Record<string, unknown>;
  if (!configSchema) return { options: plain, problems: [] };
  const options = plainToInstance(configSchema, plain, { enableImplicitConversion: false, exposeDefaultValues: true });
  const errors = validateSync(options, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  return { options, problems: flatten(errors, prefix) };
}

/**
 * Resolves `plugins.enabled` against the known plugins. Unknown names and invalid settings stop
 * start-up with a message naming the key, unless `plugins.onError: disable`, in which case the
 * plugin is left out and the reason reported.
 */
export function resolvePlugins(config: PluginsConfig, known: readonly Type<unknown>[]): { loaded: LoadedPlugin[]; disabled: DisabledPlugin[] } {
  const byName = new Map(known.map((p) => [pluginManifest(p).name, p]));
  const loaded: LoadedPlugin[] = [];
  const disabled: DisabledPlugin[] = [];
  const fatal: string[] = [];
  for (const name of config.enabled ?? []) {
    const plugin = byName.get(name);
    let problems: string[];
    let options: object = {};
    if (!plugin) {
      problems = [`plugins.enabled: unknown plugin "${name}" (known: ${[...byName.keys()].join(', ') || 'none'})`];
    } else {
      ({ options, problems } = validatePluginOptions(plugin, config[name]));
    }
    if (problems.length === 0 && plugin) loaded.push({ name, plugin, options });
    else if (config.onError === 'disable') disabled.push({ name, reason: problems.join('; ') });
    else fatal.push(...problems);
  }
  if (fatal.length > 0) throw new ConfigError(fatal);
  return { loaded, disabled };
}
