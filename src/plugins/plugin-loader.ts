import { Type } from '@nestjs/common';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { isCheckoutPlugin } from './checkout-plugin.decorator';
import { shareServerModules } from './external-plugin-hooks';
import { FoundPlugin, PluginFinder } from './plugin-config';

/**
 * The built-in plugins, beside src/ wherever the server runs from: the repository (Jest runs the
 * sources), dist/ (`tsc -p tsconfig.build.json` compiles plugins/ next to src/) and the folder the
 * process tests transpile both into.
 */
export const BUILT_IN_PLUGINS_DIR = resolve(__dirname, '..', '..', 'plugins');

/** Names of the built-in plugins: the folders of plugins/ with an index module. */
export function builtInPlugins(dir = BUILT_IN_PLUGINS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && ['index.js', 'index.ts'].some((f) => existsSync(join(dir, d.name, f))))
    .map((d) => d.name)
    .sort();
}

/**
 * The plugin class of a loaded module: its default export, or else its one export decorated with
 * @CheckoutPlugin (a plugin folder's index, a package's main file).
 */
export function pluginClassOf(exports: unknown, from: string): Type<unknown> {
  if (isCheckoutPlugin(exports)) return exports;
  const all = exports !== null && typeof exports === 'object' ? (exports as Record<string, unknown>) : {};
  if (isCheckoutPlugin(all.default)) return all.default;
  const plugins = [...new Set(Object.values(all).filter(isCheckoutPlugin))];
  if (plugins.length === 1) return plugins[0];
  if (plugins.length === 0) throw new Error(`${from} exports no class decorated with @CheckoutPlugin`);
  throw new Error(`${from} exports several @CheckoutPlugin classes (${plugins.map((p) => p.name).join(', ')}): make the plugin its default export`);
}

function looksLikePath(entry: string, baseDir: string): boolean {
  return entry.startsWith('.') || isAbsolute(entry) || ((entry.includes('/') || entry.includes(sep)) && existsSync(resolve(baseDir, entry)));
}

/** The server's own folder (package.json, node_modules): never an external plugin's root. */
const SERVER_ROOT = resolve(__dirname, '..', '..');

/**
 * The folder of the package a file belongs to (nearest package.json), else the file's own folder;
 * never a folder holding the server (a plugin file kept in the server's config folder, say).
 */
function packageRoot(file: string, serverRoot: string): string {
  const start = statSync(file).isDirectory() ? file : dirname(file);
  const holdsServer = (dir: string) => serverRoot === dir || serverRoot.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return holdsServer(dir) ? start : dir;
    if (dirname(dir) === dir) return start;
  }
}

function loadFrom(file: string, from: string): Type<unknown> {
  let exports: unknown;
  try {
    // require, not import(): a plugin is CommonJS like the server, and Jest's transform sees require only.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(file);
  } catch (err) {
    throw new Error(`plugins.enabled: ${from} failed to load: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return pluginClassOf(exports, from);
  } catch (err) {
    throw new Error(`plugins.enabled: ${(err as Error).message}`);
  }
}

export interface PluginLocations {
  /** Relative paths in `plugins.enabled` are taken from here: the config file's folder, else the working directory. */
  baseDir: string;
  /** npm packages are resolved from here (its node_modules and those above it). */
  packagesFrom: string;
  builtInDir?: string;
  /** Called with an external plugin's folder before it is required (default: shareServerModules). */
  share?: (root: string) => void;
  /** The server's folder (default: the one this module runs from), which no plugin root may contain. */
  serverRoot?: string;
}

/**
 * Resolves an entry of `plugins.enabled`: a built-in plugin's name (plugins/<name>), a path to a
 * plugin's folder or file, or an npm package name. The module is required there and then; its
 * manifest says the plugin's name.
 */
export function pluginFinder({
  baseDir,
  packagesFrom,
  builtInDir = BUILT_IN_PLUGINS_DIR,
  share = shareServerModules,
  serverRoot = SERVER_ROOT,
}: PluginLocations): PluginFinder {
  const loadExternal = (file: string, from: string): FoundPlugin => {
    share(packageRoot(realpathSync(file), serverRoot));
    return { plugin: loadFrom(file, from), from };
  };
  return (entry) => {
    if (looksLikePath(entry, baseDir)) {
      const path = resolve(baseDir, entry);
      if (!existsSync(path)) throw new Error(`plugins.enabled: plugin path "${entry}" not found (looked for ${path})`);
      return loadExternal(path, path);
    }
    const builtIns = builtInPlugins(builtInDir);
    if (builtIns.includes(entry)) return { plugin: loadFrom(join(builtInDir, entry), `built-in plugin "${entry}"`), from: 'built-in' };
    if (isBuiltin(entry)) throw new Error(`plugins.enabled: "${entry}" is a Node.js built-in module, not a plugin`);
    let main: string;
    try {
      main = require.resolve(entry, { paths: [packagesFrom] });
    } catch {
      throw new Error(
        `plugins.enabled: unknown plugin "${entry}": not a built-in plugin (built-in: ${builtIns.join(', ') || 'none'}), ` +
          `not an npm package installed in ${join(packagesFrom, 'node_modules')} or above, and not a path (start it with ./ or /)`,
      );
    }
    return loadExternal(main, `package "${entry}" (${main})`);
  };
}
