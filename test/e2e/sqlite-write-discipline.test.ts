import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { Store } from '../../src/stores/store.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-db';
import { OWNER_POLICY } from '../../src/stores/permissions';

/**
 * The one write discipline on SQLite (whatever TEST_DB says): every write goes through the
 * serialized unit of work, a busy database is a bounded wait ending in 503 `database_busy`, and a
 * wedged write path takes the replica out of readiness.
 */

function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'lc-write-discipline-'));
  return { config: { type: 'sqlite', path: join(dir, 'checkout.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** Another OS process holding the file's write lock (BEGIN IMMEDIATE) until `release()`. */
async function holdWriteLock(path: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
  `;
  const child: ChildProcess = spawn(process.execPath, ['-e', script, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return {
    release: async () => {
      child.stdin!.write('go\n');
      await exited;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQLite write discipline (whatever TEST_DB says)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    db = sqliteDatabase();
    t = await startTestApp({ db, config: { database: { busyTimeoutMs: 1000, readyMaxWriteWaitMs: 500 } } });
    // An owner key: the test creates and revokes keys with it.
    const { apiKey } = await t.createStore('Discipline shop', [OWNER_POLICY]);
    auth = { Authorization: `token ${apiKey}` };
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("a key revoked while another chain's transaction rolls back stays revoked", async () => {
    const created = await t.http.post('/api/v1/api-keys').set(auth).send({ label: 'to revoke' }).expect(201);
    const victim = { Authorization: `token ${created.body.key}` };
    await t.http.get('/api/v1/store').set(victim).expect(200);

    const uow = t.app.get(UnitOfWork);
    let revoked: Promise<unknown> | undefined;
    const failing = uow.run(async (m) => {
      await m.insert(Store, { id: 'rolled-back-1', name: 'never committed', website: null });
      // The revocation is answered while this transaction is still open (or is queued behind it).
      revoked = t.http
        .delete(`/api/v1/api-keys/${created.body.id}`)
        .set(auth)
        .then((res) => res.status);
      await Promise.race([revoked, sleep(300)]);
      throw new Error('this transaction rolls back');
    });
    await expect(failing).rejects.toThrow('this transaction rolls back');
    expect(await revoked).toBe(204);

    await t.http.get('/api/v1/store').set(victim).expect(401);
    expect(await t.app.get(DataSource).getRepository(Store).countBy({ id: 'rolled-back-1' })).toBe(0);
  });

  it('a write outside the unit of work is refused, one inside it goes through', async () => {
    const dataSource = t.app.get(DataSource);
    await expect(dataSource.getRepository(Store).insert({ id: 'outside-1', name: 'outside', website: null })).rejects.toThrow(/outside the unit of work/);
    await expect(dataSource.query(`UPDATE stores SET name = 'renamed'`)).rejects.toThrow(/outside the unit of work/);
    await expect(dataSource.query(`DELETE FROM stores WHERE id = 'nobody'`)).rejects.toThrow(/outside the unit of work/);
    // A leading comment (what QueryBuilder.comment() adds) or a parenthesis hides nothing.
    await expect(dataSource.query(`/* tagged */ UPDATE stores SET name = 'renamed'`)).rejects.toThrow(/outside the unit of work/);
    await expect(dataSource.query(`-- tagged\nUPDATE stores SET name = 'renamed'`)).rejects.toThrow(/outside the unit of work/);
    await expect(dataSource.getRepository(Store).createQueryBuilder().comment('tagged').update(Store).set({ name: 'renamed' }).execute()).rejects.toThrow(
      /outside the unit of work/,
    );
    expect(await dataSource.getRepository(Store).countBy({ name: 'renamed' })).toBe(0);
    expect(await dataSource.getRepository(Store).countBy({ id: 'outside-1' })).toBe(0);

    await t.app.get(UnitOfWork).run((m) => m.insert(Store, { id: 'inside-1', name: 'inside', website: null }));
    expect(await dataSource.getRepository(Store).countBy({ id: 'inside-1' })).toBe(1);
    // A chain started inside a unit of work that outlives it gets no pass either.
    let late: Promise<unknown> | undefined;
    await t.app.get(UnitOfWork).run(async () => {
      late = sleep(50).then(() => dataSource.getRepository(Store).insert({ id: 'late-1', name: 'late', website: null }));
    });
    await expect(late).rejects.toThrow(/outside the unit of work/);
  });

  it('another process killed (-9) while holding the write lock with uncommitted rows: writes go on, its rows are gone', async () => {
    const path = (db.config as { path: string }).path;
    const script = `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(process.argv[1]);
      db.exec('PRAGMA busy_timeout = 10000');
      db.exec('BEGIN IMMEDIATE');
      const insert = db.prepare("INSERT INTO stores (id, name, website) VALUES (?, 'crashed writer', NULL)");
      for (let i = 0; i < 20000; i++) insert.run('crashed-' + i);
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['-e', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('written') && resolve());
      child.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
    });
    const queued = t.http.post('/api/v1/checkouts').set(auth).send({ amount: 1700, orderId: 'after-crash-1' }).timeout(20_000);
    await sleep(200);
    child.kill('SIGKILL');
    await exited;
    expect((await queued).status).toBe(201);
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 1700, orderId: 'after-crash-2' }).expect(201);
    const crashed = await t.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM stores WHERE name = 'crashed writer'`);
    expect(Number(crashed[0].n)).toBe(0);
    expect(await t.app.get(DataSource).query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('answers 503 database_busy with Retry-After when the write lock stays taken past the bound, and writes nothing', async () => {
    const before = (await t.http.get('/api/v1/checkouts?limit=100').set(auth).expect(200)).body.total;
    const lock = await holdWriteLock((db.config as { path: string }).path);
    let res;
    try {
      res = await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 1500, currency: 'SATS', orderId: 'busy-1' }).timeout(20_000);
    } finally {
      await lock.release();
    }
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('database_busy');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const after = await t.http.get('/api/v1/checkouts?limit=100').set(auth).expect(200);
    expect(after.body.total).toBe(before);
    expect(after.body.items ?? after.body.data ?? []).not.toContainEqual(expect.objectContaining({ orderId: 'busy-1' }));
    // The lock is gone: the same request goes through.
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 1500, currency: 'SATS', orderId: 'busy-2' }).expect(201);
  });
});

describe('readiness and metrics see a wedged SQLite write path (whatever TEST_DB says)', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = sqliteDatabase();
    // Writes may wait long (30 s) but readiness gives up on them after 500 ms.
    t = await startTestApp({ db, config: { database: { busyTimeoutMs: 30_000, readyMaxWriteWaitMs: 500 } } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('/health/ready turns 503 while the oldest write waits past the bound, /metrics shows the queue, and both recover', async () => {
    const { apiKey } = await t.createStore('Wedge shop');
    const auth = { Authorization: `token ${apiKey}` };
    await t.http.get('/health/ready').expect(200);

    const lock = await holdWriteLock((db.config as { path: string }).path);
    let writes: Promise<number[]> | undefined;
    try {
      writes = Promise.all(
        [1, 2, 3].map((i) =>
          t.http
            .post('/api/v1/checkouts')
            .set(auth)
            .send({ amount: 1000 + i, orderId: `wedge-${i}` })
            .then((r) => r.status),
        ),
      );
      await sleep(1500);
      const ready = await t.http.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.database.message).toMatch(/write/);
      const metrics = (await t.http.get('/metrics').expect(200)).text;
      const depth = Number(/^database_write_queue_depth (\S+)$/m.exec(metrics)?.[1]);
      const oldest = Number(/^database_write_queue_oldest_wait_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(depth).toBeGreaterThanOrEqual(3);
      expect(oldest).toBeGreaterThan(0.5);
    } finally {
      await lock.release();
    }
    expect(await writes).toEqual([201, 201, 201]);
    // Probe results are cached for a second.
    await sleep(1200);
    await t.http.get('/health/ready').expect(200);
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^database_write_queue_depth 0$/m);
    expect(metrics).toMatch(/^database_write_wait_seconds_count [1-9]/m);
  });
});

describe('readiness with the write wait bound no shorter than the busy bound, as by default (whatever TEST_DB says)', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = sqliteDatabase();
    // Equal, like the defaults (5 s each): a write gives up with database_busy at the moment it would
    // have made the queue look wedged, so the queue alone never shows it.
    t = await startTestApp({ db, config: { database: { busyTimeoutMs: 1000, readyMaxWriteWaitMs: 1000 } } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('/health/ready is 503 once a write has given up on a busy database, and 200 again when the lock is gone, with no write in between', async () => {
    const { apiKey } = await t.createStore('Busy shop');
    const auth = { Authorization: `token ${apiKey}` };
    await t.http.get('/health/ready').expect(200);

    const lock = await holdWriteLock((db.config as { path: string }).path);
    try {
      const res = await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 1200, orderId: 'gave-up-1' }).timeout(20_000);
      expect(res.body.code).toBe('database_busy');
      // Probe results are cached for a second; the replica still cannot write.
      await sleep(1200);
      const ready = await t.http.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.database.message).toMatch(/write/);
    } finally {
      await lock.release();
    }
    // No request writes anything now: readiness finds out by itself that writes go through again.
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      await sleep(500);
      status = (await t.http.get('/health/ready')).status;
    }
    expect(status).toBe(200);
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 1200, orderId: 'gave-up-2' }).expect(201);
  });
});
