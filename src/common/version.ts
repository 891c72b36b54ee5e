import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The server's version from package.json, found from the sources (src/) and the build (dist/src/) alike. */
function readVersion(): string {
  const candidates: string[] = [];
  for (let dir = __dirname, i = 0; i < 5; i++, dir = dirname(dir)) candidates.push(join(dir, 'package.json'));
  // Sources transpiled elsewhere (the process tests) still run from the project folder.
  candidates.push(join(process.cwd(), 'package.json'));
  for (const path of candidates) {
    try {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lightning-checkout' && pkg.version) return pkg.version;
    } catch {
      /* not here: try the next one */
    }
  }
  return 'unknown';
}

export const SERVER_NAME = 'Lightning Checkout';
export const SERVER_VERSION = readVersion();
