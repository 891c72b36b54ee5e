import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { compileServer, CompiledServer, runCli, spawnServer } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

/**
 * The real server process on SIGTERM: out of rotation at once (readiness 503) while it still
 * serves requests for the configured drain period, then a clean exit.
 */
jest.setTimeout(180_000);

describe('SIGTERM drains before closing', () => {
  let dir: string;
  let compiled: CompiledServer;
  let db: TestDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-drain-'));
    db = await createTestDatabase();
    compiled = await compileServer();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers readiness with 503 at once, keeps serving for the drain period, then exits 0', async () => {
    const drainMs = 3000;
    writeFileSync(join(dir, 'app.yaml'), stringify({ database: db.config, server: { shutdownDrainMs: drainMs } }));
    const env = { CONFIG_FILE: join(dir, 'app.yaml') };
    const { apiKey } = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Drain shop', '--json'], env)) as { apiKey: string };
    const server = spawnServer({ name: 'drain', script: compiled.entry('src/main.ts'), env });
    try {
      const url = await server.ready;
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);

      let exitCode: number | null = null;
      server.child.once('exit', (code) => (exitCode = code));
      const signalledAt = Date.now();
      server.kill('SIGTERM');
      // Readiness flips within moments of the signal.
      let ready = await fetch(`${url}/health/ready`);
      for (let i = 0; i < 20 && ready.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ready = await fetch(`${url}/health/ready`);
      }
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'shutting_down', error: { shutdown: { status: 'down' } } });
      expect(Date.now() - signalledAt).toBeLessThan(drainMs);

      // Requests a load balancer already routed here are still served.
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const created = await fetch(`${url}/api/v1/checkouts`, {
        method: 'POST',
        headers: { Authorization: `token ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ amount: 1500 }),
      });
      expect(created.status).toBe(201);
      expect(server.running()).toBe(true);

      await server.exited;
      expect(exitCode).toBe(0);
      // It waited out the drain period (and no more than a generous bound beyond it).
      const closedAfter = Date.now() - signalledAt;
      expect(closedAfter).toBeGreaterThanOrEqual(drainMs - 100);
      expect(closedAfter).toBeLessThan(drainMs + 30_000);
      expect(server.output()).toContain('readiness now answers 503');
    } finally {
      server.kill('SIGKILL');
    }
  });
});
