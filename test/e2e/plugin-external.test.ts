// A fourth plugin written outside this repository: the example in plugins/README.md ("Writing a
// plugin outside this repository"), built in a temporary folder and loaded by a real server
// process from a path in plugins.enabled.
import { transformFile } from '@swc/core';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SERVER_VERSION } from '../../src/common/version';
import { CompiledServer, compileServer, REPO_ROOT, runCli, ServerProcess, spawnServer, SWC_OPTIONS } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

jest.setTimeout(180_000);

/** The files of the README's external plugin: its code blocks whose info string names a file (```ts hello.plugin.ts). */
function readmeExample(): Map<string, string> {
  const readme = readFileSync(join(REPO_ROOT, 'plugins', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Writing a plugin outside this repository\n');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const files = new Map<string, string>();
  for (const [, file, body] of section.matchAll(/^```\w+ (\S+)\n([\s\S]*?)^```$/gm)) files.set(file, body);
  return files;
}

/** Writes the plugin into `dir` and transpiles its TypeScript as `npm run build` would, next to the sources. */
async function buildPlugin(dir: string, files: Map<string, string>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [file, body] of files) writeFileSync(join(dir, file), body);
  for (const file of files.keys()) {
    if (!file.endsWith('.ts')) continue;
    const { code } = await transformFile(join(dir, file), SWC_OPTIONS);
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), code);
  }
}

describe('an external plugin from plugins/README.md, loaded from a folder outside src/ and plugins/', () => {
  let dir: string;
  let db: TestDatabase;
  let compiled: CompiledServer;
  let server: ServerProcess | undefined;
  let example: Map<string, string>;
  let storeId: string;
  let apiKey: string;

  /** Starts a server with this `plugins` section in a config file in `dir` (relative plugin paths start there). */
  const startWith = (name: string, plugins: Record<string, unknown>) => {
    writeFileSync(join(dir, `${name}.yaml`), stringify({ database: db.config, plugins }));
    server = spawnServer({ name, script: compiled.entry('src/main.ts'), env: { CONFIG_FILE: join(dir, `${name}.yaml`), LOG_LEVEL: 'warn' } });
    return server;
  };
  const exitOf = async (s: ServerProcess) => {
    await s.exited;
    return s.child.exitCode;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-external-plugin-'));
    example = readmeExample();
    await buildPlugin(join(dir, 'hello'), example);
    db = await createTestDatabase();
    compiled = await compileServer();
    writeFileSync(join(dir, 'cli.yaml'), stringify({ database: db.config }));
    ({ storeId, apiKey } = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Hello shop', '--json'], { CONFIG_FILE: join(dir, 'cli.yaml') })) as {
      storeId: string;
      apiKey: string;
    });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  afterAll(async () => {
    compiled?.remove();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the README example is a package.json with peer dependencies, a tsconfig and one TypeScript file importing only the plugin API', () => {
    expect([...example.keys()].sort()).toEqual(['hello.plugin.ts', 'package.json', 'tsconfig.json']);
    const pkg = JSON.parse(example.get('package.json')!) as { main: string; peerDependencies: Record<string, string> };
    expect(pkg.main).toBe('hello.plugin.js');
    expect(Object.keys(pkg.peerDependencies)).toContain('lightning-checkout');
    const imports = [...example.get('hello.plugin.ts')!.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toContain('lightning-checkout/plugin-api');
    expect(imports.filter((i) => i.startsWith('.') || i.includes('src/'))).toEqual([]);
    expect(existsSync(join(dir, 'hello', 'hello.plugin.js'))).toBe(true);
  });

  it("type-checks with its own tsconfig, lightning-checkout/plugin-api being this server's src/plugin-api", async () => {
    // What `npm install --save-dev <server>` gives an author, from the sources instead of a build.
    const check = {
      extends: './tsconfig.json',
      compilerOptions: {
        noEmit: true,
        baseUrl: '.',
        paths: {
          'lightning-checkout/plugin-api': [join(REPO_ROOT, 'src', 'plugin-api', 'index.ts')],
          '*': [join(REPO_ROOT, 'node_modules', '*'), join(REPO_ROOT, 'node_modules', '@types', '*')],
        },
        typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
    };
    writeFileSync(join(dir, 'hello', 'tsconfig.check.json'), JSON.stringify(check));
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await new Promise<{ code: number | null; out: string }>((resolveRun) =>
      execFile(process.execPath, [tsc, '-p', join(dir, 'hello', 'tsconfig.check.json')], { cwd: join(dir, 'hello') }, (err, stdout, stderr) =>
        resolveRun({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    expect(result).toEqual({ code: 0, out: '' });
  });

  it('serves its route, creates one checkout per order, and sees the checkout paid', async () => {
    const paidLog = join(dir, 'paid.jsonl');
    const s = startWith('hello', { enabled: ['./hello'], hello: { storeId, paidLog } });
    const url = await s.ready;

    const order = (body: unknown) =>
      fetch(`${url}/plugins/hello/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const first = await order({ orderId: 'order-1', amountSats: '2100' });
    expect(first.status).toBe(201);
    const { checkoutId, created } = (await first.json()) as { checkoutId: string; created: boolean };
    expect(created).toBe(true);
    expect(await (await order({ orderId: 'order-1', amountSats: '2100' })).json()).toEqual({ checkoutId, created: false });
    // The server's validation pipe checks the plugin's body class (class-validator is the server's).
    const bad = await order({ orderId: 'order 2', amountSats: 'lots' });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const checkout = (await (await fetch(`${url}/api/v1/checkouts/${checkoutId}`, { headers: { Authorization: `token ${apiKey}` } })).json()) as {
      status: string;
      orderId: string;
      amountSats: number;
    };
    expect(checkout).toMatchObject({ status: 'New', orderId: 'order-1', amountSats: 2100 });

    const paid = await fetch(`${url}/i/${checkoutId}/simulate-payment`, { method: 'POST', headers: { Accept: 'application/json' } });
    expect(paid.status).toBe(202);
    const deadline = Date.now() + 30_000;
    while (!existsSync(paidLog) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const lines = readFileSync(paidLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([{ eventId: expect.any(String), type: 'InvoiceSettled', checkoutId, orderId: 'order-1', amountSats: 2100 }]);
    expect(
      ((await (await fetch(`${url}/api/v1/checkouts/${checkoutId}`, { headers: { Authorization: `token ${apiKey}` } })).json()) as { status: string }).status,
    ).toBe('Settled');
  });

  it('refuses to start when its compatibility range leaves out this server, naming plugin, range and version', async () => {
    const future = new Map(example);
    future.set('hello.plugin.ts', example.get('hello.plugin.ts')!.replace(/compatibility: '[^']*'/, "compatibility: '>=99.0.0'"));
    await buildPlugin(join(dir, 'hello-future'), future);
    const s = startWith('future', { enabled: ['./hello-future'], hello: { storeId, paidLog: join(dir, 'never.jsonl') } });
    expect(await exitOf(s)).toBe(78);
    expect(s.output()).toContain(
      `plugins.enabled: plugin "hello" 1.0.0 (${join(dir, 'hello-future')}) works with server versions ">=99.0.0" (its compatibility), but this server is ${SERVER_VERSION}`,
    );
    expect(s.output()).not.toContain('listening on');
  });

  it('refuses to start on a name that is neither built-in, installed nor a path, saying what it tried', async () => {
    const s = startWith('unknown', { enabled: ['checkout-plugin-hello'] });
    expect(await exitOf(s)).toBe(78);
    expect(s.output()).toContain(
      `plugins.enabled: unknown plugin "checkout-plugin-hello": not a built-in plugin (built-in: greenfield, shopify, woocommerce), not an npm package installed in ${join(REPO_ROOT, 'node_modules')} or above, and not a path (start it with ./ or /)`,
    );
  });

  it('the CLI, which loads the enabled plugins for their tables, says what is wrong with one instead of a Nest stack trace', async () => {
    writeFileSync(join(dir, 'broken.js'), "throw new Error('boom at import');");
    writeFileSync(join(dir, 'cli-broken.yaml'), stringify({ database: db.config, plugins: { enabled: ['./broken.js'] } }));
    const failure = await runCli(compiled, ['list-stores'], { CONFIG_FILE: join(dir, 'cli-broken.yaml') }).then(
      () => 'succeeded',
      (err: Error) => err.message,
    );
    expect(failure).toContain(`plugins.enabled: ${join(dir, 'broken.js')} failed to load: boom at import`);
    expect(failure).not.toMatch(/ExceptionHandler|\n\s+at /);
  });
});
