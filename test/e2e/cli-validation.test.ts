// The CLI is an entry point like the API: what it stores is shown to customers (the store name on
// the hosted page, the website it links back to), so it refuses what the API would refuse.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CompiledServer, compileServer, runCli } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

describe('CLI create-store input', () => {
  let compiled: CompiledServer;
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    compiled = await compileServer();
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'lc-cli-'));
    writeFileSync(join(dir, 'app.yaml'), stringify({ database: db.config }));
    env = { CONFIG_FILE: join(dir, 'app.yaml') };
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['an empty name', ['--name', ''], /--name/],
    ['a blank name', ['--name', '   '], /--name/],
    ['a name with control characters', ['--name', 'Shop\u001b[31m'], /--name/],
    ['a javascript: website', ['--name', 'Shop', '--website', 'javascript:alert(1)'], /--website/],
    ['a website that is not a URL', ['--name', 'Shop', '--website', 'not a url'], /--website/],
    ['an http logo (shoppers load it from the https page)', ['--name', 'Shop', '--logo-url', 'http://shop.example/logo.png'], /--logo-url/],
    ['a javascript: logo', ['--name', 'Shop', '--logo-url', 'javascript:alert(1)'], /--logo-url/],
    ['a wildcard logo host (it would open the page\'s img-src to every host)', ['--name', 'Shop', '--logo-url', 'https://*/logo.png'], /--logo-url/],
  ])('refuses %s with exit code 64, naming the option', async (_name, args, message) => {
    const run = runCli(compiled, ['create-store', ...args, '--json'], env);
    await expect(run).rejects.toThrow(/exited 64/);
    await expect(run).rejects.toThrow(message);
  });

  it('accepts a proper name, an https website and an https logo', async () => {
    const out = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Zürich Kaffee', '--website', 'https://shop.example', '--logo-url', 'https://cdn.shop.example/logo.svg', '--json'], env)) as { storeId: string };
    expect(out.storeId).toMatch(/^[\w-]+$/);
  });
});
