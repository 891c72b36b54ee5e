import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

interface PreparedInsert {
  sql: string;
  columns: ColumnMetadata[];
}

const statements = new WeakMap<EntityMetadata, Map<string, PreparedInsert>>();

/**
 * INSERT of one row whose every value is known, with the SQL text built once per entity and set of
 * columns. TypeORM's InsertQueryBuilder rebuilds the statement from metadata on each call, which was
 * the largest share of its CPU on the checkout create path. Values still go through the driver's
 * own `preparePersistentValue` (transformers, dates, booleans, JSON), so rows are stored exactly as
 * TypeORM writes and reads them. Columns left undefined are left to their database default.
 */
export async function insertRow<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, row: Partial<T>): Promise<void> {
  const metadata = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const present = metadata.columns.filter((column) => column.getEntityValue(row) !== undefined);
  const key = present.map((column) => column.databaseName).join(',');
  let perEntity = statements.get(metadata);
  if (!perEntity) statements.set(metadata, (perEntity = new Map()));
  let prepared = perEntity.get(key);
  if (!prepared) {
    const postgres = driver.options.type === 'postgres';
    const names = present.map((column) => driver.escape(column.databaseName)).join(', ');
    const placeholders = present.map((_, i) => (postgres ? `$${i + 1}` : '?')).join(', ');
    prepared = { sql: `INSERT INTO ${driver.escape(metadata.tableName)} (${names}) VALUES (${placeholders})`, columns: present };
    perEntity.set(key, prepared);
  }
  const values: unknown[] = prepared.columns.map((column) => driver.preparePersistentValue(column.getEntityValue(row), column));
  await m.query(prepared.sql, values);
}
