import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './entities';

/**
 * TypeORM calls `verbose()` on the sqlite3 module, which wraps every Database/Statement call to
 * capture a stack trace and util.inspect its arguments: about a tenth of a millisecond per query,
 * a fifth of the server's SQLite time per checkout. Handing TypeORM the module with `verbose()`
 * as a no-op keeps the plain bindings; sqlite3 errors still carry their message and code.
 */
function sqliteWithoutTrace(): object {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite3 = require('sqlite3') as object;
  return Object.assign(Object.create(sqlite3) as object, { verbose: () => sqlite3 });
}

export function dataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: config.migrationsRun,
    // The schema is owned by migrations, never synchronized from entities.
    synchronize: false,
    logging: config.logging,
  };
  if (config.type === 'postgres') {
    return { ...common, type: 'postgres', url: config.url, extra: { max: 20 } };
  }
  const path = config.path === ':memory:' ? ':memory:' : resolve(config.path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return {
    ...common,
    type: 'sqlite',
    database: path,
    driver: sqliteWithoutTrace(),
    // WAL lets the hosted page read while a payment is being written; busy_timeout rides out locks.
    enableWAL: true,
    busyErrorRetry: 50,
  };
}
