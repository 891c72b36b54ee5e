import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, QueryRunner } from 'typeorm';

/** The unit of work an async chain is running in; `open` turns false when its transaction ends. */
export interface WriteScope {
  open: boolean;
}

export const writeScope = new AsyncLocalStorage<WriteScope>();

export class WriteOutsideUnitOfWorkError extends Error {
  constructor(sql: string) {
    super(`write outside the unit of work refused (SQLite allows no write but through UnitOfWork.run): ${sql.slice(0, 80)}`);
    this.name = 'WriteOutsideUnitOfWorkError';
  }
}

// Leading comments (QueryBuilder.comment() puts one first) are skipped: they would hide the verb.
const WRITE = /^(?:\s|\/\*[\s\S]*?\*\/|--[^\n]*(?:\n|$))*(?:WITH\b[\s\S]*?\b)?(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

/**
 * On SQLite every async chain shares the one connection, so a write issued outside UnitOfWork.run
 * lands in whatever transaction another chain has open, and is undone by that chain's ROLLBACK
 * after its own caller was told it succeeded. Once the schema is migrated, the connection's query
 * runner refuses such writes: the mistake fails loudly, in tests first.
 *
 * It also makes TypeORM's transactions `BEGIN IMMEDIATE`: the write lock is taken before the first
 * read, so another connection's commit can never invalidate the transaction's snapshot halfway
 * (SQLITE_BUSY_SNAPSHOT, which no statement retry can get out of). A busy database then fails at
 * BEGIN, where UnitOfWork can run the whole transaction again.
 */
export function guardSqliteWrites(dataSource: DataSource): void {
  const runner = dataSource.driver.createQueryRunner('master') as QueryRunner & { transactionDepth: number; isTransactionActive: boolean };
  const query = runner.query.bind(runner) as (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;
  runner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    if (sql === 'BEGIN TRANSACTION') {
      try {
        return await query('BEGIN IMMEDIATE', parameters, structured);
      } catch (err) {
        // TypeORM marks the transaction active before its BEGIN; nothing began.
        if (runner.transactionDepth === 0) runner.isTransactionActive = false;
        throw err;
      }
    }
    if (WRITE.test(sql) && !writeScope.getStore()?.open) throw new WriteOutsideUnitOfWorkError(sql);
    return query(sql, parameters, structured);
  }) as QueryRunner['query'];
}
