// The CLI is an entry point like the API: what it stores is shown to customers (the store name on
// the hosted page, the website it links back to), so it refuses what the API would refuse.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CompiledServer, compileServer, runCli, spawnServer } from '../support/server-process';
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
    ["a wildcard logo host (it would open the page's img-src to every host)", ['--name', 'Shop', '--logo-url', 'https://*/logo.png'], /--logo-url/],
  ])('refuses %s with exit code 64, naming the option', async (_name, args, message) => {
    const run = runCli(compiled, ['create-store', ...args, '--json'], env);
    await expect(run).rejects.toThrow(/exited 64/);
    await expect(run).rejects.toThrow(message);
  });

  it('accepts a proper name, an https website and an https logo', async () => {
    const out = JSON.parse(
      await runCli(
        compiled,
        ['create-store', '--name', 'Zürich Kaffee', '--website', 'https://shop.example', '--logo-url', 'https://cdn.shop.example/logo.svg', '--json'],
        env,
      ),
    ) as { storeId: string };
    expect(out.storeId).toMatch(/^[\w-]+$/);
  });
});

// A mistyped connection string at start-up is reported by key, never with its password: the
// message lands in terminals, CI logs and support tickets.
describe('configuration errors at start-up never show a password', () => {
  let compiled: CompiledServer;

  beforeAll(async () => {
    compiled = await compileServer();
  }, 60_000);
  afterAll(() => compiled?.remove());

  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      'a database URL with a mistyped scheme',
      { DATABASE_URL: 'postgress://shop:Tr0ub4dor-db@db.internal:5432/shop' },
      'Tr0ub4dor-db',
      /database\.url: .*postgress:\/\/shop:\*\*\*@db\.internal:5432\/shop/,
    ],
    ['a database URL missing its colon', { DATABASE_URL: 'postgres//shop:n0-colon-pw@db/shop' }, 'n0-colon-pw', /database\.url: .*not shown/],
    [
      'a Redis URL with a mistyped scheme',
      { REDIS_URL: 'redus://default:r3dis-pw@cache:6379' },
      'r3dis-pw',
      /redis\.url: .*redus:\/\/default:\*\*\*@cache:6379/,
    ],
    // Not a secret, but the same promise: one line naming the setting, no stack trace (before: EEXIST from deep in start-up).
    [
      'a DATA_DIR that is a file',
      { DATA_DIR: join(__dirname, 'cli-validation.test.ts') },
      '    at ',
      /dataDir \(DATA_DIR\) \/ database\.path: cannot keep the SQLite database in .*: a file is in the way/,
    ],
    [
      'a macaroon of the wrong type',
      {
        APP_LIGHTNING__BACKEND__TYPE: 'lnd',
        APP_LIGHTNING__BACKEND__SOCKET: 'x',
        APP_LIGHTNING__BACKEND__CERT: 'c',
        APP_LIGHTNING__BACKEND__MACAROON: '[0201036c6e64025f]',
      },
      '0201036c6e64025f',
      /lightning\.backend\.macaroon: .*not shown/,
    ],
  ];

  it.each(cases)('the server, given %s, exits 78 naming the key only', async (_what, env, secret, shown) => {
    const server = spawnServer({ name: 'bad-config', script: compiled.entry('src/main.ts'), env });
    await server.exited;
    expect(server.output()).toMatch(shown);
    expect(server.output()).not.toContain(secret);
    expect(server.child.exitCode).toBe(78);
  });

  it.each(cases)('the CLI, given %s, names the key only', async (_what, env, secret, shown) => {
    const run = runCli(compiled, ['list-stores'], env);
    await expect(run).rejects.toThrow(shown);
    await run.catch((err: Error) => expect(err.message).not.toContain(secret));
  });
});
