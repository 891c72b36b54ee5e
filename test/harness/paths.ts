import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface BinPaths {
  lnd: string;
  lncli: string;
  btcd: string;
  btcctl: string;
  etcd: string;
  lndVersion?: string;
  btcdVersion?: string;
}

let cached: BinPaths | undefined;

/** Cache root used by scripts/build-lightning.sh (override with LIGHTNING_BIN_CACHE). */
export function binCacheRoot(): string {
  return process.env.LIGHTNING_BIN_CACHE || join(homedir(), '.cache', 'lightning-checkout');
}

/** Reads <cache root>/paths.env written by scripts/build-lightning.sh. Throws a helpful error if missing. */
export function binPaths(): BinPaths {
  if (cached) return cached;
  const file = join(binCacheRoot(), 'paths.env');
  if (!existsSync(file)) {
    throw new Error(`Lightning test binaries not found (${file} is missing). Build them first: bash scripts/build-lightning.sh`);
  }
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].trim().replace(/^["']|["']$/g, '');
  }
  const need = ['LND_BIN', 'LNCLI_BIN', 'BTCD_BIN', 'BTCCTL_BIN', 'ETCD_BIN'];
  for (const key of need) {
    if (!env[key] || !existsSync(env[key])) {
      throw new Error(
        `${file}: ${key} is ${env[key] ? `${env[key]} which does not exist` : 'missing'}. ` + 'Rebuild the binaries: bash scripts/build-lightning.sh',
      );
    }
  }
  cached = {
    lnd: env.LND_BIN,
    lncli: env.LNCLI_BIN,
    btcd: env.BTCD_BIN,
    btcctl: env.BTCCTL_BIN,
    etcd: env.ETCD_BIN,
    lndVersion: env.LND_VERSION,
    btcdVersion: env.BTCD_VERSION,
  };
  return cached;
}
