import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { stringify } from 'yaml';
import { compileServer, CompiledServer, runCli, spawnServer } from '../support/server-process';
import { waitFor, WebhookReceiver } from './webhooks-receiver';

// Generous: on a loaded 2-core machine spawning the CLI five times alone takes a minute. A hang is
// caught by the deadlines of each request, CLI run and the scripted writer, not by this.
jest.setTimeout(420_000);

const SCRIPTED_TRANSACTIONS = 300;

/**
 * A second OS process doing read-then-write transactions as fast as it can: BEGIN (deferred),
 * read, yield, write, COMMIT. It behaves as a correct SQLite client does: on SQLITE_BUSY it rolls
 * back and runs the whole transaction again. Its commits land between the server's reads and writes.
 */
function scriptedWriter(path: string, count: number, timeoutMs: number): Promise<void> {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    // Its table is made before the race starts, waiting as long as it takes for the server's lock.
    db.exec('PRAGMA busy_timeout = 30000');
    db.exec('CREATE TABLE IF NOT EXISTS scripted (n INTEGER PRIMARY KEY, seen INTEGER NOT NULL)');
    db.exec('PRAGMA busy_timeout = 20');
    const pause = () => new Promise((r) => setImmediate(r));
    (async () => {
      for (let n = 1; n <= ${count}; n++) {
        for (;;) {
          try {
            db.exec('BEGIN');
            const { c } = db.prepare('SELECT COUNT(*) AS c FROM scripted').get();
            await pause();
            db.prepare('INSERT INTO scripted (n, seen) VALUES (?, ?)').run(n, c);
            db.exec('COMMIT');
            break;
          } catch (err) {
            if (db.isTransaction) db.exec('ROLLBACK');
            if (!/busy|locked/i.test(String(err && err.message))) throw err;
            await new Promise((r) => setTimeout(r, 2));
          }
        }
      }
      db.close();
    })().catch((err) => { console.error(err); process.exit(1); });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, path], { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`scripted writer ${signal ? `killed after ${timeoutMs} ms (hung)` : `exited ${code}`}: ${err}`));
    });
  });
}

/** POST with a deadline: a request still unanswered then is a hang. */
async function post(url: string, apiKey: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/api/v1/checkouts`, {
    method: 'POST',
    headers: { Authorization: `token ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('two OS processes on one SQLite file (whatever TEST_DB says)', () => {
  let dir: string;
  let compiled: CompiledServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-two-processes-'));
    compiled = await compileServer();
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await receiver?.stop();
    compiled?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('server, CLI and a scripted read-then-write process interleave commits: nobody hangs, every write is there', async () => {
    const path = join(dir, 'shared.sqlite');
    writeFileSync(join(dir, 'app.yaml'), stringify({ database: { type: 'sqlite', path }, webhooks: { allowPrivateTargets: true } }));
    const env = { CONFIG_FILE: join(dir, 'app.yaml') };
    const { apiKey } = JSON.parse(await runCli(compiled, ['create-store', '--name', 'First shop', '--json'], env, 60_000)) as { apiKey: string };
    const server = spawnServer({ name: 'two-processes', script: compiled.entry('src/main.ts'), env });
    try {
      const url = await server.ready;
      // Every checkout event now goes through the webhook fan-out: a read-then-write transaction in the server.
      const hook = await fetch(`${url}/api/v1/webhooks`, {
        method: 'POST',
        headers: { Authorization: `token ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: receiver.route('/two-processes'), events: ['InvoiceCreated'] }),
      });
      expect(hook.status).toBe(201);

      const checkouts = async (): Promise<number[]> => {
        const statuses: number[] = [];
        for (let i = 0; i < 80; i += 4)
          statuses.push(...(await Promise.all([0, 1, 2, 3].map((j) => post(url, apiKey, { amount: 1000 + i + j, orderId: `two-proc-${i + j}` })))));
        return statuses;
      };
      const cliStores = async (): Promise<void> => {
        for (let i = 0; i < 4; i++) await runCli(compiled, ['create-store', '--name', `CLI shop ${i}`, '--json'], env, 60_000);
      };
      const [statuses] = await Promise.all([checkouts(), cliStores(), scriptedWriter(path, SCRIPTED_TRANSACTIONS, 120_000)]);
      expect(statuses.filter((s) => s !== 201)).toEqual([]);

      // Fan-out and delivery keep going after the burst: every InvoiceCreated reaches the receiver.
      await waitFor(() => receiver.on('/two-processes').length >= 80, 60_000);
      const check = new DatabaseSync(path, { readOnly: true });
      try {
        expect((check.prepare('SELECT COUNT(*) AS c FROM checkouts').get() as { c: number }).c).toBe(80);
        expect((check.prepare('SELECT COUNT(*) AS c FROM stores').get() as { c: number }).c).toBe(5);
        expect((check.prepare('SELECT COUNT(*) AS c FROM scripted').get() as { c: number }).c).toBe(SCRIPTED_TRANSACTIONS);
        expect((check.prepare('SELECT COUNT(*) AS c FROM webhook_deliveries').get() as { c: number }).c).toBe(80);
      } finally {
        check.close();
      }
    } finally {
      await server.stop();
    }
  });
});
