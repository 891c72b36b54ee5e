import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { compileServer, CompiledServer, runCli, ServerProcess, spawnServer } from '../support/server-process';
import { createTestDatabase, queryDatabase, TestDatabase } from '../support/test-db';

/**
 * The embedded default on a crash: "simulate payment" answers only once the payment is committed,
 * and the dev node's invoices outlive the process, so nothing acknowledged is lost to `kill -9`
 * and a checkout created before a restart is paid its real amount after it.
 */
jest.setTimeout(240_000);

interface Row {
  id: string;
  status: string;
  amountSats: number;
  amountPaidSats: number | null;
}

describe('simulate-payment survives kill -9 of the server process', () => {
  let dir: string;
  let compiled: CompiledServer;
  let db: TestDatabase;
  let env: Record<string, string>;
  let apiKey: string;
  let server: ServerProcess | undefined;

  /** Read straight from the database the server wrote, not through the server. */
  const query = <T>(sql: string, params: unknown[] = []) => queryDatabase<T>(db, sql, params);

  const start = async (name: string) => {
    server = spawnServer({ name, script: compiled.entry('src/main.ts'), env });
    return server.ready;
  };
  const createCheckout = async (url: string, amount: number) => {
    const res = await fetch(`${url}/api/v1/checkouts`, {
      method: 'POST',
      headers: { Authorization: `token ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; paymentHash: string };
  };
  const simulate = (url: string, id: string) => fetch(`${url}/i/${id}/simulate-payment`, { method: 'POST', headers: { Accept: 'application/json' } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-crash-'));
    db = await createTestDatabase();
    compiled = await compileServer();
    writeFileSync(join(dir, 'app.yaml'), stringify({ database: db.config, lightning: { reconcileIntervalSeconds: 3600 } }));
    env = { CONFIG_FILE: join(dir, 'app.yaml') };
    ({ apiKey } = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Crash shop', '--json'], env)) as { apiKey: string });
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every acknowledged payment is Settled after a restart, with exactly one InvoiceSettled event, and the real amount paid', async () => {
    let url = await start('crash-1');
    const checkouts = [];
    for (let i = 0; i < 40; i++) checkouts.push(await createCheckout(url, 1000 + i));
    const createdBeforeRestart = await createCheckout(url, 1025);

    // All at once; the process is killed the moment the 25th answer arrives.
    const acknowledged: string[] = [];
    let answers = 0;
    await Promise.all(
      checkouts.map(async (c) => {
        try {
          const res = await simulate(url, c.id);
          if (res.status === 202) acknowledged.push(c.id);
          if (++answers === 25) server!.kill('SIGKILL');
        } catch {
          // The connection died with the process: not acknowledged.
        }
      }),
    );
    await server!.exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(25);

    url = await start('crash-2');
    const byId = async () => new Map((await query<Row>('SELECT id, status, "amountSats", "amountPaidSats" FROM checkouts')).map((r) => [r.id, r]));
    // Reconciliation at start-up also finishes payments the node stored but the server had not applied.
    const deadline = Date.now() + 30_000;
    let rows = await byId();
    while (Date.now() < deadline && acknowledged.some((id) => rows.get(id)?.status !== 'Settled')) {
      await new Promise((r) => setTimeout(r, 250));
      rows = await byId();
    }
    for (const id of acknowledged) {
      expect(rows.get(id)).toMatchObject({ status: 'Settled' });
      expect(Number(rows.get(id)!.amountPaidSats)).toBe(Number(rows.get(id)!.amountSats));
    }
    const settledEvents = await query<{ checkoutId: string; n: number | string }>(
      `SELECT "checkoutId", COUNT(*) AS n FROM checkout_events WHERE type = 'InvoiceSettled' GROUP BY "checkoutId"`,
    );
    const counts = new Map(settledEvents.map((e) => [e.checkoutId, Number(e.n)]));
    // Read after the events: reconciliation may still be settling unacknowledged ones meanwhile.
    rows = await byId();
    for (const id of acknowledged) expect(counts.get(id)).toBe(1);
    for (const [id, n] of counts) {
      expect(n).toBe(1);
      expect(rows.get(id)?.status).toBe('Settled');
    }

    // A checkout created before the restart is paid what it asked for, not 0.
    const res = await simulate(url, createdBeforeRestart.id);
    expect(res.status).toBe(202);
    const [after] = await query<Row>('SELECT id, status, "amountSats", "amountPaidSats" FROM checkouts WHERE id = $1', [createdBeforeRestart.id]);
    expect(after.status).toBe('Settled');
    expect(Number(after.amountPaidSats)).toBe(1025);
    await server!.stop();
  });
});
