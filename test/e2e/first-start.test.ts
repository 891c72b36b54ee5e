// The first ten minutes of a new merchant: `PORT=... npm start` on SQLite with no publicUrl set,
// the start-up line, the CLI's "try it" line and every checkoutLink on the port actually bound,
// the page at `/`, and the data in DATA_DIR.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_VERSION } from '../../src/common/version';
import { CompiledServer, compileServer, runCli, ServerProcess, spawnServer } from '../support/server-process';

jest.setTimeout(180_000);

/** A port nothing listens on right now (the server binds it a moment later). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('first start on a chosen port, without publicUrl', () => {
  let compiled: CompiledServer;
  let server: ServerProcess;
  let dir: string;
  let port: number;
  let env: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    compiled = await compileServer();
    dir = mkdtempSync(join(tmpdir(), 'lc-first-'));
    port = await freePort();
    // What `DATA_DIR=... PORT=... npm start` gives the server: no CONFIG_FILE, no PUBLIC_URL.
    env = { PORT: String(port), DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' };
    server = spawnServer({ name: 'first', script: compiled.entry('src/main.ts'), env });
    base = await server.ready;
  });
  afterAll(async () => {
    await server?.stop();
    compiled?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says where it is in its start-up line', () => {
    expect(base).toBe(`http://127.0.0.1:${port}`);
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('listening on'))!;
    expect(line).toContain(`open http://localhost:${port}/`);
    expect(line).toContain(`http://localhost:${port}/docs`);
    expect(line).toContain(SERVER_VERSION);
    expect(server.output()).not.toContain('localhost:3000');
  });

  it('prints a "try it" line and gives checkout links on that port', async () => {
    const out = await runCli(compiled, ['create-store', '--name', 'First shop'], env);
    expect(out).toContain(`curl -s -X POST http://localhost:${port}/api/v1/checkouts`);
    const key = /API key \(shown once, keep it safe\): (\S+)/.exec(out)![1];
    const res = await fetch(`${base}/api/v1/checkouts`, {
      method: 'POST',
      headers: { Authorization: `token ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: '2100', currency: 'SATS', orderId: 'demo-1' }),
    });
    expect(res.status).toBe(201);
    const checkout = (await res.json()) as { id: string; checkoutLink: string };
    expect(checkout.checkoutLink).toBe(`http://localhost:${port}/i/${checkout.id}`);
    // The link opens: the hosted page answers on it (localhost resolves to this machine).
    expect((await fetch(checkout.checkoutLink.replace('localhost', '127.0.0.1'))).status).toBe(200);
  });

  it('keeps its data in DATA_DIR', () => {
    expect(existsSync(join(dir, 'data', 'checkout.sqlite'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'dev-node.key'))).toBe(true);
  });

  it('serves a landing page at / without a key, linking pages that answer', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const page = await res.text();
    expect(page).toContain(`Lightning Checkout <small>${SERVER_VERSION}</small>`);
    expect(page).toContain(`curl -s -X POST http://localhost:${port}/api/v1/checkouts`);
    const links = [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(expect.arrayContaining(['/docs', '/health/ready']));
    for (const link of links) expect([link, (await fetch(`${base}${link}`)).status]).toEqual([link, 200]);
  });
});

describe('first start on port 0', () => {
  it('names the port it was given in its links', async () => {
    const compiled = await compileServer();
    const dir = mkdtempSync(join(tmpdir(), 'lc-first0-'));
    const server = spawnServer({ name: 'port0', script: compiled.entry('src/main.ts'), env: { PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'warn' } });
    try {
      const base = await server.ready;
      const port = new URL(base).port;
      expect(server.output()).toContain(`open http://localhost:${port}/`);
      const page = await (await fetch(`${base}/`)).text();
      expect(page).toContain(`http://localhost:${port}/api/v1/checkouts`);
      expect(page).not.toContain('localhost:0');
      // The CLI, given the same PORT=0, cannot know the port: it says where to find it rather than printing port 0.
      const cli = await runCli(compiled, ['create-store', '--name', 'Port zero shop'], { PORT: '0', DATA_DIR: dir });
      expect(cli).toContain('curl -s -X POST http://localhost:<the port the server printed>/api/v1/checkouts');
      expect(cli).not.toContain('localhost:0');
    } finally {
      await server.stop();
      compiled.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
