import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-db';

/**
 * Two servers on one SQLite file in one process (the CLI next to a running server is the everyday
 * case): the single connection of each is synchronous, so one gets SQLITE_BUSY at BEGIN IMMEDIATE
 * while the other holds the write lock, its unit of work runs the transaction again after an async
 * pause, and both finish.
 */
describe('two apps on one SQLite file (whatever TEST_DB says)', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-two-apps-'));
    db = { config: { type: 'sqlite', path: join(dir, 'shared.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    a = await startTestApp({ db });
    b = await startTestApp({ db });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('both create checkouts at the same time, and each sees the other’s', async () => {
    const { apiKey } = await a.createStore('Shared file shop');
    const auth = { Authorization: `token ${apiKey}` };
    const create = (app: TestApp, i: number) =>
      app.http
        .post('/api/v1/checkouts')
        .set(auth)
        .send({ amount: 1000 + i, orderId: `two-${i}` })
        .expect(201);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i % 2 ? a : b, i)));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(40);
    const listed = await b.http.get('/api/v1/checkouts?limit=100').set(auth).expect(200);
    expect(listed.body.total).toBe(40);
  });
});
