import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, QueryFailedError } from 'typeorm';
import { Database, nodeSqliteDriver } from './node-sqlite-driver';

function call<T>(fn: (cb: (this: { lastID?: number; changes?: number }, err: Error | null, rows?: T) => void) => void): Promise<{ rows?: T; lastID?: number; changes?: number }> {
  return new Promise((resolve, reject) =>
    fn(function (err, rows) {
      if (err) reject(err);
      else resolve({ rows, lastID: this.lastID, changes: this.changes });
    }),
  );
}

const opened = (path: string) => new Promise<Database>((resolve, reject) => {
  const db: Database = new Database(path, (err) => (err ? reject(err) : resolve(db)));
});

describe('node:sqlite behind the sqlite3 API', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lc-sqlite-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports lastID and changes from run, rows from all, and binds like sqlite3', async () => {
    const db = await opened(join(dir, 'a.sqlite'));
    await call((cb) => db.run('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, flag INTEGER, at INTEGER, blob BLOB)', cb));
    const first = await call((cb) => db.run('INSERT INTO t (name, flag, at, blob) VALUES (?, ?, ?, ?)', ['a', true, new Date(1000), Buffer.from([1, 2])], cb));
    const second = await call((cb) => db.run('INSERT INTO t (name, flag, at) VALUES (?, ?, ?)', ['b', false, undefined], cb));
    expect([first.lastID, second.lastID]).toEqual([1, 2]);
    const updated = await call((cb) => db.run('UPDATE t SET name = ? WHERE id > ?', ['z', 0], cb));
    expect(updated.changes).toBe(2);
    const { rows } = await call<Record<string, unknown>[]>((cb) => db.all('SELECT name, flag, at, blob FROM t ORDER BY id', [], cb));
    expect(rows).toEqual([
      { name: 'z', flag: 1, at: 1000, blob: Buffer.from([1, 2]) },
      { name: 'z', flag: 0, at: null, blob: null },
    ]);
    // Plain objects, as sqlite3 gave: code calling hasOwnProperty on a row keeps working.
    expect(Object.getPrototypeOf(rows![0])).toBe(Object.prototype);
    expect(Buffer.isBuffer(rows![0].blob)).toBe(true);
    await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
  });

  it('names errors the way sqlite3 does, so TypeORM can recognise a busy database', async () => {
    const path = join(dir, 'b.sqlite');
    const a = await opened(path);
    const b = await opened(path);
    await call((cb) => a.run('CREATE TABLE t (k TEXT UNIQUE)', cb));
    await call((cb) => a.run('INSERT INTO t VALUES (?)', ['x'], cb));
    await expect(call((cb) => a.run('INSERT INTO t VALUES (?)', ['x'], cb))).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT', message: expect.stringMatching(/^SQLITE_CONSTRAINT: UNIQUE constraint failed: t\.k/) });
    await expect(call((cb) => a.all('SELEKT 1', [], cb))).rejects.toMatchObject({ code: 'SQLITE_ERROR' });

    // One connection holds the write lock: the other is told at once, in the words TypeORM retries on.
    await call((cb) => a.all('BEGIN IMMEDIATE', [], cb));
    await expect(call((cb) => b.run('INSERT INTO t VALUES (?)', ['y'], cb))).rejects.toMatchObject({ code: 'SQLITE_BUSY', message: expect.stringMatching(/^SQLITE_BUSY: /) });
    await call((cb) => a.all('COMMIT', [], cb));
    await call((cb) => b.run('INSERT INTO t VALUES (?)', ['y'], cb));
    a.close();
    b.close();
    await expect(call((cb) => a.all('SELECT 1', [], cb))).rejects.toMatchObject({ code: 'SQLITE_MISUSE' });
  });

  it('fails to open a path that cannot be a database with a callback error, not a throw', async () => {
    await expect(opened(join(dir, 'missing-dir', 'x', 'c.sqlite'))).rejects.toMatchObject({ code: 'SQLITE_CANTOPEN' });
  });

  it('opens connections that commit with a full sync unless told otherwise', async () => {
    const db: Database = await new Promise((resolve, reject) => {
      const made: Database = new (nodeSqliteDriver().Database)(join(dir, 'e.sqlite'), (err) => (err ? reject(err) : resolve(made)));
    });
    const { rows } = await call<Record<string, unknown>[]>((cb) => db.all('PRAGMA synchronous', [], cb));
    expect(rows).toEqual([{ synchronous: 2 }]);
    db.close();
  });

  it('carries a TypeORM DataSource: transactions roll back and constraint errors become QueryFailedError', async () => {
    const ds = new DataSource({ type: 'sqlite', database: join(dir, 'd.sqlite'), driver: nodeSqliteDriver({ synchronous: 'normal' }), enableWAL: true });
    await ds.initialize();
    try {
      await ds.query('CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)');
      await expect(
        ds.transaction(async (m) => {
          await m.query('INSERT INTO t VALUES (?, ?)', ['a', 1]);
          await m.query('INSERT INTO t VALUES (?, ?)', ['a', 2]);
        }),
      ).rejects.toBeInstanceOf(QueryFailedError);
      expect(await ds.query('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 0 }]);
      await ds.transaction((m) => m.query('INSERT INTO t VALUES (?, ?)', ['b', 2]));
      expect(await ds.query('SELECT k, n FROM t')).toEqual([{ k: 'b', n: 2 }]);
      expect(await ds.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await ds.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    } finally {
      await ds.destroy();
    }
  });
});
