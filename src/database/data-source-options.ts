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
    // WAL lets readers go on while a write commits. Another connection to the file (the CLI, a second
    // app) holding the write lock answers SQLITE_BUSY; TypeORM retries 50 ms later instead of the
    // synchronous driver blocking the event loop in busy_timeout.
    enableWAL: true,
    busyErrorRetry: 50,
  };
}
