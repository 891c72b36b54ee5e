import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './entities';
import { nodeSqliteDriver } from './node-sqlite-driver';

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
    driver: nodeSqliteDriver({ synchronous: config.sqliteSynchronous }),
    // WAL lets the hosted page read while a payment is being written; busy_timeout rides out locks.
    enableWAL: true,
    busyErrorRetry: 50,
  };
}
