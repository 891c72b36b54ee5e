import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';

/**
 * Which database the suites run on: TEST_DB=postgres uses the PostgreSQL at 127.0.0.1:5432
 * (override with TEST_PG_URL), each suite in a database of its own so parallel runs never meet.
 */
export const TEST_DB: 'sqlite' | 'postgres' = process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  config: { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DB === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lc-db-'));
    return { config: { type: 'sqlite', path: join(dir, 'test.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  return createPostgresDatabase('lc_test');
}

/** A fresh PostgreSQL database, whatever TEST_DB says: for suites that need several processes on one database. */
export async function createPostgresDatabase(prefix = 'lc_test'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`this suite needs PostgreSQL at ${PG_ADMIN_URL}, which is unreachable: ${(err as Error).message}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    config: { type: 'postgres', url: url.toString() },
    drop: async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Reads straight from the database a server process writes, not through the server ($1 placeholders). */
export async function queryDatabase<T>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  if (db.config.type === 'sqlite') {
    const conn = new DatabaseSync(db.config.path, { readOnly: true });
    try {
      return conn.prepare(sql.replace(/\$\d+/g, '?')).all(...(params as string[])) as T[];
    } finally {
      conn.close();
    }
  }
  const client = new Client({ connectionString: db.config.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
