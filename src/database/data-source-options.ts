import type { EntityClass, MigrationClass } from './table-classes';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './entities';

/**
 * How long one SQLite statement may wait, synchronously, for another connection's write lock
 * (`busy_timeout`). Short on purpose: better-sqlite3 blocks the event loop while it waits. Longer
 * waits are UnitOfWork's bounded retry of the whole transaction, with async pauses in between.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 20;

/** Tables beyond the core's: those of the enabled plugins (src/plugins/registry.ts, enabledPluginTables). */
export interface ExtraTables {
  entities: EntityClass[];
  migrations: MigrationClass[];
}

export function dataSourceOptions(config: DatabaseConfig, extra: ExtraTables = { entities: [], migrations: [] }): DataSourceOptions {
  const common = {
    entities: [...ENTITIES, ...extra.entities],
    migrations: [...MIGRATIONS, ...extra.migrations],
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
  const synchronous = config.sqliteSynchronous === 'normal' ? 'NORMAL' : 'FULL';
  return {
    ...common,
    type: 'better-sqlite3',
    database: path,
    // WAL lets readers go on while a write commits; writers take the lock at BEGIN IMMEDIATE.
    enableWAL: true,
    timeout: SQLITE_BUSY_TIMEOUT_MS,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma(`synchronous = ${synchronous}`);
    },
  };
}
