import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral, QueryFailedError } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

interface PreparedInsert {
  /** `INSERT INTO "table" ("a", "b") VALUES (` */
  head: string;
  columns: ColumnMetadata[];
}

const statements = new WeakMap<EntityMetadata, Map<string, PreparedInsert>>();

/** One row to insert: its entity and values (undefined columns get their database default). */
export type RowOf<T extends ObjectLiteral = ObjectLiteral> = [EntityTarget<T>, Partial<T>];

function prepare(dataSource: DataSource, target: EntityTarget<ObjectLiteral>, row: ObjectLiteral): PreparedInsert {
  const metadata = dataSource.getMetadata(target);
  const present = metadata.columns.filter((column) => column.getEntityValue(row) !== undefined);
  const key = present.map((column) => column.databaseName).join(',');
  let perEntity = statements.get(metadata);
  if (!perEntity) statements.set(metadata, (perEntity = new Map<string, PreparedInsert>()));
  let prepared = perEntity.get(key);
  if (!prepared) {
    const { driver } = dataSource;
    const names = present.map((column) => driver.escape(column.databaseName)).join(', ');
    prepared = { head: `INSERT INTO ${driver.escape(metadata.tableName)} (${names}) VALUES (`, columns: present };
    perEntity.set(key, prepared);
  }
  return prepared;
}

/** The INSERT statement of `row` with its placeholders numbered from `offset` + 1, and its values. */
function statementFor(dataSource: DataSource, [target, row]: RowOf, offset: number): { sql: string; values: unknown[] } {
  const prepared = prepare(dataSource, target, row);
  const postgres = dataSource.driver.options.type === 'postgres';
  const placeholders = prepared.columns.map((_, i) => (postgres ? `$${offset + i + 1}` : '?')).join(', ');
  const values = prepared.columns.map((column): unknown => dataSource.driver.preparePersistentValue(column.getEntityValue(row), column));
  return { sql: `${prepared.head}${placeholders})`, values };
}

/**
 * INSERT of one row whose every value is known, with the SQL text built once per entity and set of
 * columns. TypeORM's InsertQueryBuilder rebuilds the statement from metadata on each call, which was
 * the largest share of its CPU on the checkout create path. Values still go through the driver's
 * own `preparePersistentValue` (transformers, dates, booleans, JSON), so rows are stored exactly as
 * TypeORM writes and reads them. Columns left undefined are left to their database default.
 */
export async function insertRow<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, row: Partial<T>): Promise<void> {
  const { sql, values } = statementFor(m.connection, [target, row], 0);
  await m.query(sql, values);
}

/**
 * Inserts rows with `m`, inside the transaction `m` belongs to (callers run it in UnitOfWork.run),
 * so they commit or roll back with everything else that transaction does. On PostgreSQL that is
 * ONE statement (the first rows in data-modifying WITH clauses, the last as the main INSERT): one
 * round trip inside the transaction instead of one per row. It is sent on the transaction's own
 * connection as a named prepared statement, so each connection plans it once; TypeORM's query
 * logging does not see it. Elsewhere, one INSERT per row.
 */
export async function insertTogether(m: EntityManager, rows: RowOf[]): Promise<void> {
  const runner = m.queryRunner;
  if (m.connection.driver.options.type !== 'postgres' || rows.length < 2 || !runner?.isTransactionActive) {
    for (const [target, row] of rows) await insertRow(m, target, row);
    return;
  }
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const row of rows) {
    const statement = statementFor(m.connection, row, values.length);
    parts.push(statement.sql);
    values.push(...statement.values);
  }
  const main = parts.pop() as string;
  const text = `WITH ${parts.map((sql, i) => `inserted_${i} AS (${sql})`).join(', ')} ${main}`;
  // The pg client the transaction's BEGIN went to: the statement is part of that transaction.
  const client = (await (runner as PostgresQueryRunner).connect()) as PoolClient;
  try {
    await client.query({ name: statementName(text), text, values });
  } catch (err) {
    // Callers tell a constraint violation from other failures as with any TypeORM query.
    throw new QueryFailedError(text, values, err as Error);
  }
}

const statementNames = new Map<string, string>();

/** A prepared statement's name: the same for the same SQL text, different for different text. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `lc_insert_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  return name;
}
