import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { stringify } from 'yaml';
import { compileServer, CompiledServer, runCli, ServerProcess, spawnServer } from '../support/server-process';

/**
 * kill -9 of the server in the middle of concurrent creates and settlements on the embedded
 * SQLite file: after a restart the file is intact, every acknowledged write is there, and no
 * checkout change is without its outbox event (or the other way round).
 */
jest.setTimeout(240_000);

describe('kill -9 during concurrent creates and settlements on SQLite (whatever TEST_DB says)', () => {
  let dir: string;
  let compiled: CompiledServer;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-crash-integrity-'));
    compiled = await compileServer();
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    compiled?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('integrity_check ok, no acknowledged write lost, no checkout without its events', async () => {
    const path = join(dir, 'crash.sqlite');
    writeFileSync(join(dir, 'app.yaml'), stringify({ database: { type: 'sqlite', path }, lightning: { reconcileIntervalSeconds: 3600 } }));
    const env = { CONFIG_FILE: join(dir, 'app.yaml') };
    const { apiKey } = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Crash shop', '--json'], env)) as { apiKey: string };
    server = spawnServer({ name: 'crash-integrity-1', script: compiled.entry('src/main.ts'), env });
    const url = await server.ready;

    const created: string[] = [];
    const paid: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await fetch(`${url}/api/v1/checkouts`, {
            method: 'POST',
            headers: { Authorization: `token ${apiKey}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ amount: 1000 + i, orderId: `w${w}-${i}` }),
          });
          if (res.status !== 201) continue;
          const { id } = (await res.json()) as { id: string };
          created.push(id);
          if (i % 2 === 0) {
            const pay = await fetch(`${url}/i/${id}/simulate-payment`, { method: 'POST', headers: { Accept: 'application/json' } });
            if (pay.status === 202) paid.push(id);
          }
        } catch {
          return; // the process died: whatever was in flight was not acknowledged
        }
      }
    };
    const workers = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    while (created.length < 60) await new Promise((r) => setTimeout(r, 20));
    server.kill('SIGKILL');
    stop = true;
    await workers;
    await server.exited;

    const conn = new DatabaseSync(path);
    try {
      expect(conn.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
      const status = new Map((conn.prepare('SELECT id, status FROM checkouts').all() as { id: string; status: string }[]).map((r) => [r.id, r.status]));
      const events = conn.prepare('SELECT "checkoutId", type, COUNT(*) AS n FROM checkout_events GROUP BY "checkoutId", type').all() as {
        checkoutId: string;
        type: string;
        n: number;
      }[];
      const count = (id: string, type: string) => events.find((e) => e.checkoutId === id && e.type === type)?.n ?? 0;
      for (const id of created) expect(status.has(id)).toBe(true);
      for (const id of paid) expect(status.get(id)).toBe('Settled');
      for (const [id, s] of status) {
        expect([id, count(id, 'InvoiceCreated')]).toEqual([id, 1]);
        expect([id, count(id, 'InvoiceSettled')]).toEqual([id, s === 'Settled' ? 1 : 0]);
      }
      for (const e of events) expect(status.has(e.checkoutId)).toBe(true);
    } finally {
      conn.close();
    }

    // And the server comes back on that file.
    server = spawnServer({ name: 'crash-integrity-2', script: compiled.entry('src/main.ts'), env });
    const again = await server.ready;
    const res = await fetch(`${again}/api/v1/checkouts`, {
      method: 'POST',
      headers: { Authorization: `token ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 999 }),
    });
    expect(res.status).toBe(201);
    await server.stop();
    server = undefined;
  });
});
