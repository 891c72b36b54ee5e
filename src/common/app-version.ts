import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** This server's own version, from the nearest package.json above this file (source or dist). */
function readVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
    if (dirname(dir) === dir) return '0.0.0';
  }
}

export const APP_VERSION = readVersion();
