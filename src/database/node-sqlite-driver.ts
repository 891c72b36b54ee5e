import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

/**
 * Node's built-in SQLite (`node:sqlite`) behind the slice of the `sqlite3` package's API that
 * TypeORM's sqlite driver uses (`new Database(path, cb)`, `run`, `all`, `close`), handed to it as
 * `driver`. Why: the `sqlite3` addon hops to the libuv pool for every statement, so a checkout's
 * BEGIN/INSERT/INSERT/COMMIT cost about 1 ms of CPU and up to 3 ms of wall time; run in place they
 * cost a third of that. The one connection's statements already ran one at a time, and a COMMIT
 * now holds the event loop for its fsync (under a millisecond here) instead of a pool thread.
 * No native addon to build at install time, either.
 */

/** Prepared statements kept per connection; TypeORM's SQL text repeats, so this stays small. */
const STATEMENT_CACHE = 256;

/** SQLite primary result codes, to name errors the way `sqlite3` does ("SQLITE_BUSY: ..."). */
const RESULT_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
};

type Callback<T> = (this: RunContext, err: Error | null, result?: T) => void;

interface RunContext {
  lastID?: number;
  changes?: number;
}

export class SqliteError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errno: number,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

/** Same error shape as `sqlite3`: TypeORM looks for "SQLITE_BUSY:" in the text to retry. */
function asSqliteError(err: unknown): Error {
  const e = err as { errcode?: unknown; message?: string };
  if (typeof e?.errcode !== 'number') return err instanceof Error ? err : new Error(String(err));
  const code = RESULT_CODES[e.errcode & 0xff] ?? 'SQLITE_ERROR';
  return new SqliteError(`${code}: ${e.message}`, code, e.errcode & 0xff);
}

/** Binds values as `sqlite3` did: booleans as 0/1, dates as epoch milliseconds, undefined as NULL. */
function bindable(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value as SQLInputValue;
}

/** Plain objects (node:sqlite gives null-prototype ones) and Buffers for BLOBs, as `sqlite3` did. */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in row) {
    const value = row[key];
    out[key] = value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
  }
  return out;
}

export class Database {
  private db: DatabaseSync | null;
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string, callback?: (err: Error | null) => void, setup?: string) {
    try {
      // Double-quoted strings stay identifiers only: a mistyped column is an error, not a string.
      this.db = new DatabaseSync(path, { enableDoubleQuotedStringLiterals: false });
      if (setup) this.db.exec(setup);
    } catch (err) {
      this.db = null;
      const error = asSqliteError(err);
      if (callback) queueMicrotask(() => callback(error));
      else throw error;
      return;
    }
    if (callback) queueMicrotask(() => callback(null));
  }

  run(sql: string, paramsOrCallback?: unknown[] | Callback<undefined>, maybeCallback?: Callback<undefined>): this {
    const [params, callback] = split(paramsOrCallback, maybeCallback);
    const context: RunContext = {};
    let error: Error | null = null;
    try {
      const result = this.statement(sql).run(...params.map(bindable));
      context.lastID = Number(result.lastInsertRowid);
      context.changes = Number(result.changes);
    } catch (err) {
      error = asSqliteError(err);
    }
    callback?.call(context, error);
    return this;
  }

  all(sql: string, paramsOrCallback?: unknown[] | Callback<Record<string, unknown>[]>, maybeCallback?: Callback<Record<string, unknown>[]>): this {
    const [params, callback] = split(paramsOrCallback, maybeCallback);
    let rows: Record<string, unknown>[] | undefined;
    let error: Error | null = null;
    try {
      rows = (this.statement(sql).all(...params.map(bindable)) as Record<string, unknown>[]).map(plainRow);
    } catch (err) {
      error = asSqliteError(err);
    }
    callback?.call({}, error, rows);
    return this;
  }

  close(callback?: (err: Error | null) => void): void {
    let error: Error | null = null;
    try {
      this.statements.clear();
      this.db?.close();
      this.db = null;
    } catch (err) {
      error = asSqliteError(err);
    }
    if (callback) queueMicrotask(() => callback(error));
  }

  private statement(sql: string): StatementSync {
    if (!this.db) throw new SqliteError('SQLITE_MISUSE: Database is closed', 'SQLITE_MISUSE', 21);
    let statement = this.statements.get(sql);
    if (statement) {
      // Most recently used last, so the oldest is evicted first.
      this.statements.delete(sql);
      this.statements.set(sql, statement);
      return statement;
    }
    statement = this.db.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value as string);
    return statement;
  }
}

function split<T>(paramsOrCallback: unknown[] | T | undefined, maybeCallback: T | undefined): [unknown[], T | undefined] {
  if (typeof paramsOrCallback === 'function') return [[], paramsOrCallback as T];
  return [(paramsOrCallback as unknown[] | undefined) ?? [], maybeCallback];
}

interface SqliteModule {
  Database: new (path: string, callback?: (err: Error | null) => void) => Database;
  OPEN_READWRITE: number;
  OPEN_CREATE: number;
  OPEN_URI: number;
  verbose(): SqliteModule;
}

export interface NodeSqliteOptions {
  /**
   * `full` (SQLite's default): every COMMIT is on disk before it returns, even across a power cut.
   * `normal`: in WAL mode a commit survives a crash of the process but the last ones may roll back
   * on a power cut or kernel crash; it saves one fsync per commit.
   */
  synchronous?: 'full' | 'normal';
}

/** What TypeORM's `driver` option expects of the `sqlite3` module, opening connections with `options`. */
export function nodeSqliteDriver(options: NodeSqliteOptions = {}): SqliteModule {
  const synchronous = (options.synchronous ?? 'full').toUpperCase();
  const module: SqliteModule = {
    Database: class extends Database {
      constructor(path: string, callback?: (err: Error | null) => void) {
        super(path, callback, `PRAGMA synchronous = ${synchronous}`);
      }
    },
    OPEN_READWRITE: 0x2,
    OPEN_CREATE: 0x4,
    OPEN_URI: 0x40,
    verbose: () => module,
  };
  return module;
}
