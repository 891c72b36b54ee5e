import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { WriteScope, writeScope } from './sqlite-write-guard';

/** Pauses between attempts at a busy SQLite database: short at first, then up to 200 ms. */
const FIRST_PAUSE_MS = 5;
const MAX_PAUSE_MS = 200;

/** The database stayed locked by another connection for longer than database.busyTimeoutMs. */
export class DatabaseBusyError extends ProblemException {
  constructor(waitedMs: number, retryAfterSeconds: number) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'database_busy',
      `The database is locked by another process; gave up after ${waitedMs} ms. Nothing was written; try again.`,
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

export interface WriteQueueStats {
  /** Units of work waiting for or holding the write transaction. */
  depth: number;
  /**
   * How long the oldest of them has been waiting or running, in ms; after a unit gave up on a busy
   * database and no transaction has begun since, at least how long ago that one was queued.
   */
  oldestWaitMs: number;
  /** A unit gave up on a busy database and no transaction has begun since. */
  stalled: boolean;
}

function isBusy(err: unknown): boolean {
  const code = (err as { driverError?: { code?: unknown }; code?: unknown })?.driverError?.code ?? (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Runs work in one database transaction: the only way anything is written.
 *
 * SQLite has a single connection shared by every async chain, on which TypeORM cannot interleave
 * two transactions, so there they are queued and run one at a time, each starting with BEGIN
 * IMMEDIATE (see sqlite-write-guard.ts). Another process holding the file's write lock makes BEGIN
 * fail with SQLITE_BUSY after a short synchronous busy_timeout; the whole transaction is then tried
 * again after an async pause, until database.busyTimeoutMs has passed since it was queued, and then
 * fails with a 503 `database_busy` problem, nothing written. PostgreSQL runs transactions concurrently.
 */
@Injectable()
export class UnitOfWork {
  private queue: Promise<unknown> = Promise.resolve();
  /** Start times of units not yet finished, oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<{ since: number }>();
  /**
   * When the unit that last gave up on a busy database was queued, until a transaction begins:
   * a unit gives up when it has waited database.busyTimeoutMs, so with a readiness bound no shorter
   * than that the queue itself never looks wedged, though no write goes through.
   */
  private stalledSince?: number;
  /** Told how long each unit waited for its transaction to begin, in seconds (metrics). */
  onWait?: (seconds: number) => void;

  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  stats(): WriteQueueStats {
    const oldest = this.pending.values().next().value;
    const since = Math.min(oldest?.since ?? Infinity, this.stalledSince ?? Infinity);
    return { depth: this.pending.size, oldestWaitMs: Number.isFinite(since) ? Date.now() - since : 0, stalled: this.stalledSince !== undefined };
  }

  /**
   * `work` writes only through `manager`, and may run more than once on SQLite (a busy database
   * fails the whole transaction, which is run again): side effects belong after it resolves. Never
   * await run() inside another run(): on SQLite the inner one queues behind the outer one forever.
   */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    // Each call is a transaction of its own, queued behind the others, even when called from a chain
    // that started inside another unit of work (async context is inherited by anything created
    // there, e.g. a server or a timer): joining that transaction would tie it to someone else's fate.
    const entry = { since: Date.now() };
    this.pending.add(entry);
    const attempt = () => this.attempt(work, entry.since).finally(() => this.pending.delete(entry));
    if (!this.isSqlite) return attempt();
    const next = this.queue.then(attempt);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async attempt<T>(work: (manager: EntityManager) => Promise<T>, since: number): Promise<T> {
    const busyTimeoutMs = this.config.database.busyTimeoutMs;
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      const scope: WriteScope = { open: true };
      try {
        return await writeScope.run(scope, () =>
          this.dataSource.transaction((manager) => {
            this.stalledSince = undefined;
            this.onWait?.((Date.now() - since) / 1000);
            return work(manager);
          }),
        );
      } catch (err) {
        if (!this.isSqlite || !isBusy(err)) throw err;
        const waited = Date.now() - since;
        if (waited >= busyTimeoutMs) {
          this.stalledSince ??= since;
          throw new DatabaseBusyError(waited, Math.max(1, Math.ceil(busyTimeoutMs / 1000)));
        }
        await sleep(Math.min(pause * (0.5 + Math.random()), busyTimeoutMs - waited));
      } finally {
        scope.open = false;
      }
    }
  }
}
