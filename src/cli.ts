import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ConfigError, loadConfig } from './config/load-config';
import { DatabaseModule } from './database/database.module';
import { StoresModule } from './stores/stores.module';
import { ProblemException } from './common/problem';
import { DEFAULT_KEY_POLICIES } from './stores/permissions';
import { StoresService } from './stores/stores.service';
import { PRINTABLE } from './common/printable';
import { redactUrlCredentials } from './common/redact';
import { prepareDataDir } from './config/data-dir';
import { STORE_SPREAD } from './stores/store-spread';
import { checkLogoUrl } from './stores/store-logo';
import { enabledPlugins } from './plugins/registry';

/** Operator commands that work on the database directly, with the server's configuration. */
async function withStores<T>(work: (stores: StoresService, config: AppConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  prepareDataDir(config);
  // The enabled plugins' tables are the DataSource's too: a plugin that cannot load is a config error, said before Nest starts.
  enabledPlugins(config);
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, StoresModule] })
  class CliModule {}
  const ctx = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    return await work(ctx.get(StoresService), config);
  } finally {
    await ctx.close();
  }
}

/** `--permissions a,b` or `--permissions "a b"`; BTCPay permission strings (see src/stores/permissions.ts). */
const parsePermissions = (value: string): string[] => value.split(/[\s,]+/).filter(Boolean);
const PERMISSIONS_HELP = `BTCPay permissions to grant, comma-separated, e.g. btcpay.store.canmodifystoresettings for a store owner key (default: what BTCPay's WooCommerce plugin asks for: ${DEFAULT_KEY_POLICIES.join(',')})`;

function usageError(message: string): never {
  console.error(message);
  process.exit(64); // EX_USAGE
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const program = new Command().name('lightning-checkout').description('Lightning checkout server administration');

program
  .command('create-store')
  .description('create a store and print its first API key (shown once; only its hash is stored)')
  .requiredOption('--name <name>', 'store name shown to customers')
  .option('--website <url>', 'shop URL the hosted page links back to')
  .option('--permissions <list>', PERMISSIONS_HELP, parsePermissions)
  .option('--spread <percent>', 'percent added to fiat prices (the exchange rate is lowered by it), e.g. 1.5', '0')
  .option('--logo-url <url>', 'logo shown on the hosted page: an https URL (http only for localhost)')
  .option('--json', 'print JSON')
  .action(async (opts: { name: string; website?: string; permissions?: string[]; spread: string; logoUrl?: string; json?: boolean }) => {
    if (!STORE_SPREAD.test(opts.spread)) usageError('--spread must be a decimal from 0 to below 50 with at most 4 decimals, e.g. 1.5');
    // The name is shown on every hosted page and the website is linked from it: refuse what the API would.
    const name = opts.name.trim();
    if (name.length === 0 || name.length > 200 || !PRINTABLE.test(name)) usageError('--name must be 1-200 printable characters (no control characters)');
    if (opts.website !== undefined && !isWebUrl(opts.website)) usageError('--website must be an http(s) URL, e.g. https://shop.example');
    const logo = opts.logoUrl === undefined ? null : checkLogoUrl(opts.logoUrl);
    if (logo && 'error' in logo) usageError(`--logo-url: ${logo.error}`);
    await withStores(async (stores, config) => {
      const { store, key, apiKey } = await stores.createStore(name, opts.website ?? null, 'default', opts.permissions, opts.spread, logo?.url ?? null);
      if (opts.json) return console.log(JSON.stringify({ storeId: store.id, apiKey: key, permissions: apiKey.permissions }));
      console.log(`Store created: ${store.name} (${store.id})`);
      console.log(`API key (shown once, keep it safe): ${key}`);
      console.log(`Permissions: ${apiKey.permissions.join(', ')}`);
      // PORT=0 without a publicUrl: the port is picked when the server starts, so the CLI cannot name it.
      const base =
        config.server.publicUrlFromPort && config.server.port === 0
          ? 'http://localhost:<the port the server printed>'
          : config.server.publicUrl.replace(/\/$/, '');
      console.log(
        `\nTry it:\n  curl -s -X POST ${base}/api/v1/checkouts -H 'Authorization: token ${key}' -H 'Content-Type: application/json' -d '{"amount": "2100", "currency": "SATS", "orderId": "demo-1"}'`,
      );
    });
  });

program
  .command('create-key')
  .description('issue another API key for a store')
  .requiredOption('--store <id>', 'store id')
  .option('--label <label>', 'what the key is for', 'cli')
  .option('--permissions <list>', PERMISSIONS_HELP, parsePermissions)
  .action(async (opts: { store: string; label: string; permissions?: string[] }) => {
    await withStores(async (stores) => {
      await stores.get(opts.store);
      const { key } = await stores.createKey(opts.store, opts.label, opts.permissions);
      console.log(key);
    });
  });

program
  .command('list-stores')
  .description('list stores and their key prefixes')
  .action(async () => {
    await withStores(async (stores) => {
      for (const store of await stores.list()) {
        const keys = await stores.listKeys(store.id);
        console.log(`${store.id}  ${store.name}  keys: ${keys.map((k) => `${k.prefix}…${k.revokedAt ? ' (revoked)' : ''}`).join(', ')}`);
      }
    });
  });

program.parseAsync(process.argv).catch((err) => {
  const detail = err instanceof ProblemException ? (err.getResponse() as { detail?: string }).detail : undefined;
  console.error(err instanceof ConfigError ? err.message : `Error: ${redactUrlCredentials(detail ?? (err as Error).message)}`);
  process.exit(1);
});
