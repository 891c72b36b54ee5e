import { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { satisfies, valid } from 'semver';
import { PluginsConfig } from '../config/app-config';
import { ConfigError } from '../config/load-config';
import { manifestProblem, pluginManifest } from './checkout-plugin.decorator';

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

export { RESERVED_PLUGIN_KEYS } from './checkout-plugin.decorator';

/** A plugin class found for one entry of `plugins.enabled`, and where it came from (for messages). */
export interface FoundPlugin {
  plugin: Type<unknown>;
  from: string;
}

/** Finds the plugin an entry of `plugins.enabled` names; throws an Error whose message is the whole problem. */
export type PluginFinder = (entry: string) => FoundPlugin;

/** A finder over a fixed list of plugin classes, by manifest name (unit specs, embedding). */
export function findAmong(known: readonly Type<unknown>[]): PluginFinder {
  const byName = new Map(known.map((p) => [pluginManifest(p).name, p]));
  return (entry) => {
    const plugin = byName.get(entry);
    if (!plugin) throw new Error(`plugins.enabled: unknown plugin "${entry}" (known: ${[...byName.keys()].join(', ') || 'none'})`);
    return { plugin, from: 'built-in' };
  };
}

/** Empty when the plugin's `compatibility` range admits this server's version, else the problem. */
export function compatibilityProblems(plugin: Type<unknown>, from: string, serverVersion: string): string[] {
  const { name, version, compatibility } = pluginManifest(plugin);
  if (valid(serverVersion) && satisfies(serverVersion, compatibility, { includePrerelease: true })) return [];
  return [
    `plugins.enabled: plugin "${name}" ${version} (${from}) works with server versions "${compatibility}" (its compatibility), but this server is ${serverVersion}`,
  ];
}

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
export function validatePluginOptions(plugin: Type<unknown>, raw: unknown): { options: object; problems: string[] } {
  const { name, configSchema } = pluginManifest(plugin);
  const prefix = `plugins.${name}`;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    // The kind of value only: a plugin's settings are mostly credentials (consumer secrets, access tokens).
    return {
      options: {},
      problems: [`${prefix}: must be a mapping of settings (got ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : `a ${typeof raw}`})`],
    };
  }
  const plain = (raw ?? {}) as Record<string, unknown>;
  if (!configSchema) return { options: plain, problems: [] };
  const options = plainToInstance(configSchema, plain, { enableImplicitConversion: false, exposeDefaultValues: true });
  const errors = validateSync(options, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  return { options, problems: flatten(errors, prefix) };
}

/**
 * Resolves `plugins.enabled` with `find`. A plugin's settings are `plugins.<its manifest name>`.
 * Unknown entries, plugins that fail to load, an incompatible server version and invalid settings
 * stop start-up with a message naming the key, unless `plugins.onError: disable`, in which case
 * the plugin is left out and the reason reported.
 */
export function resolvePlugins(config: PluginsConfig, find: PluginFinder, serverVersion: string): { loaded: LoadedPlugin[]; disabled: DisabledPlugin[] } {
  const loaded: LoadedPlugin[] = [];
  const disabled: DisabledPlugin[] = [];
  const fatal: string[] = [];
  const entryOf = new Map<string, string>();
  for (const entry of config.enabled ?? []) {
    let name = entry;
    let options: object = {};
    let plugin: Type<unknown> | undefined;
    let problems: string[];
    try {
      const found = find(entry);
      const problem = manifestProblem(pluginManifest(found.plugin));
      if (problem) throw new Error(`plugins.enabled: ${entry}: ${problem}`);
      plugin = found.plugin;
      name = pluginManifest(plugin).name;
      const twin = entryOf.get(name);
      problems =
        twin !== undefined ? [`plugins.enabled: "${twin}" and "${entry}" are both plugin "${name}"`] : compatibilityProblems(plugin, found.from, serverVersion);
      if (problems.length === 0) ({ options, problems } = validatePluginOptions(plugin, config[name]));
    } catch (err) {
      problems = [err instanceof Error ? err.message : String(err)];
    }
    if (!entryOf.has(name)) entryOf.set(name, entry);
    if (problems.length === 0 && plugin) loaded.push({ name, plugin, options });
    else if (config.onError === 'disable') disabled.push({ name, reason: problems.join('; ') });
    else fatal.push(...problems);
  }
  if (fatal.length > 0) throw new ConfigError(fatal);
  return { loaded, disabled };
}
