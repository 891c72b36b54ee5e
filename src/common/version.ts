import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The server's version from package.json, found from the sources (src/) and the build (dist/src/) alike. */
function readVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lightning-checkout' && pkg.version) return pkg.version;
    } catch {
      /* not here: look one folder up */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export const SERVER_NAME = 'Lightning Checkout';
export const SERVER_VERSION = readVersion();
