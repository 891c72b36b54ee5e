import { registerHooks } from 'node:module';
import { isAbsolute, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What an external plugin imports the plugin API as: the name authors install the server under. */
export const PLUGIN_API_SPECIFIER = 'lightning-checkout/plugin-api';

/**
 * Packages whose classes, decorators' metadata or static state cross between the server and a
 * plugin: the server's copy always, even when the plugin brought its own (npm installs peer
 * dependencies by default). With a second @nestjs/common, for one, a plugin's NotFoundException is
 * not the server's HttpException and answers 500, and its @Type() metadata is lost to class-transformer.
 */
const SHARED_PACKAGES = new Set(['class-validator', 'class-transformer', 'reflect-metadata', 'rxjs', 'typeorm', 'express']);
const isShared = (specifier: string) => {
  const name = specifier.startsWith('@') ? specifier.split('/', 2).join('/') : specifier.split('/', 1)[0];
  return name.startsWith('@nestjs/') || SHARED_PACKAGES.has(name);
};

const roots = new Set<string>();
let registered = false;

function isBare(specifier: string): boolean {
  return !specifier.startsWith('.') && !isAbsolute(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);
}

function insideExternalPlugin(parentURL: string | undefined): boolean {
  if (!parentURL?.startsWith('file:')) return false;
  const parent = fileURLToPath(parentURL);
  for (const root of roots) if (parent.startsWith(root)) return true;
  return false;
}

/**
 * Lets the code under `root` (an external plugin's folder) use the running server's modules:
 * `lightning-checkout/plugin-api` is this server's own plugin API (the same classes and injection
 * tokens, not a second copy), and a package the plugin does not have itself (@nestjs/common,
 * class-validator, rxjs… declared as peer dependencies) comes from the server's node_modules.
 * Requests from anywhere else resolve as Node always does.
 */
export function shareServerModules(root: string): void {
  roots.add(root.endsWith(sep) ? root : root + sep);
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (!isBare(specifier) || !insideExternalPlugin(context.parentURL)) return nextResolve(specifier, context);
      if (specifier === PLUGIN_API_SPECIFIER) return { url: pathToFileURL(require.resolve('../plugin-api')).href, shortCircuit: true };
      if (isShared(specifier)) {
        const fromServer = resolveFromServer(specifier);
        if (fromServer) return { url: pathToFileURL(fromServer).href, shortCircuit: true };
      }
      try {
        return nextResolve(specifier, context);
      } catch (err) {
        // MODULE_NOT_FOUND from require, ERR_MODULE_NOT_FOUND from an ES module's import (Nest 12 is ESM).
        const code = (err as { code?: string }).code;
        if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw err;
        const fromServer = resolveFromServer(specifier);
        if (!fromServer) throw err; // the plugin's own "cannot find module", which names the plugin file
        return { url: pathToFileURL(fromServer).href, shortCircuit: true };
      }
    },
  });
}

/** Resolved as if this (server) module had asked: its node_modules, then NODE_PATH; undefined when not there. */
function resolveFromServer(specifier: string): string | undefined {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}
