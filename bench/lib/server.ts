import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { JsonClient } from './http';

/** Repository root, from both bench/lib (ts runner) and dist/bench/lib (build output). */
export const REPO_ROOT = resolve(__dirname, __dirname.includes('/dist/') ? '../../..' : '../..');
const DIST = join(REPO_ROOT, 'dist', 'src');

export interface BenchServer {
  url: string;
  pid: number;
  storeId: string;
  apiKey: string;
  /** Client authenticated with the store's API key. */
  api: JsonClient;
  /** Last lines the server printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** Config merged over config/default.yaml (database and server are filled in). */
  config?: Record<string, unknown>;
  startTimeoutMs?: number;
  maxSockets?: number;
  /** SQLite file (the embedded default) or a fresh database on the local PostgreSQL. */
  database?: 'sqlite' | 'postgres';
}

const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throw-away PostgreSQL database; returns its URL and how to drop it. */
async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lc_bench_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Servers still running; killed when the bench process exits (e.g. after a bench hit its deadline). */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Error raised when the server refuses to start: its message carries the server's own words. */
export class ServerStartError extends Error {}

/**
 * Starts the built server (`dist/src/main.js`) as a child process on a fresh SQLite file and an
 * OS-chosen loopback port, and creates a store with the CLI. A child process, not in-process, so
 * that its CPU time and memory can be read from /proc apart from the load generator's.
 */
export async function startServer(opts: StartServerOptions = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lc-bench-'));
  const configFile = join(dir, 'config.yaml');
  const pg = opts.database === 'postgres' ? await createPgDatabase() : undefined;
  const base = {
    server: { host: '127.0.0.1', port: 0, publicUrl: 'http://127.0.0.1:1' },
    database: pg ? { type: 'postgres', url: pg.url } : { type: 'sqlite', path: join(dir, 'checkout.sqlite') },
    log: { level: process.env.BENCH_LOG_LEVEL ?? 'warn', pretty: false },
  };
  writeFileSync(configFile, stringify(deepMergePlain(base, opts.config ?? {})), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env, CONFIG_FILE: configFile, NODE_ENV: 'development' };
  delete env.LOG_LEVEL;
  delete env.PORT;
  delete env.DATABASE_URL;
  delete env.REDIS_URL;

  // BENCH_SERVER_CPU_PROF=<dir>: write a V8 CPU profile of every server run there (open it in
  // Chrome DevTools) to see where the server's time goes.
  const profDir = process.env.BENCH_SERVER_CPU_PROF;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profDir)}`, '--require', join(__dirname, 'exit-on-sigterm.js')] : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(DIST, 'main.js')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  const keep = (chunk: Buffer) => (out = (out + chunk.toString('utf8')).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    await pg?.drop().catch(() => undefined);
  };

  let url: string;
  try {
    url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new ServerStartError(`server did not start in ${opts.startTimeoutMs ?? 60_000} ms: ${tail(out)}`)),
        opts.startTimeoutMs ?? 60_000,
      );
      const onData = () => {
        const match = /listening on (http:\/\/\S+?) /.exec(out);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1].replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1'));
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new ServerStartError(`server exited with code ${code}: ${tail(out)}`));
      });
    });
  } catch (err) {
    await cleanup();
    throw err;
  }

  const cli = spawnSync(process.execPath, [join(DIST, 'cli.js'), 'create-store', '--name', 'Bench shop', '--json'], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const created = /\{.*"apiKey".*\}/.exec(cli.stdout ?? '');
  if (!created) {
    await cleanup();
    throw new ServerStartError(`create-store failed (${cli.status}): ${tail((cli.stdout ?? '') + (cli.stderr ?? ''))}`);
  }
  const { storeId, apiKey } = JSON.parse(created[0]) as { storeId: string; apiKey: string };
  const api = new JsonClient(url, { authorization: `token ${apiKey}` }, opts.maxSockets ?? 64);
  return {
    url,
    pid: child.pid!,
    storeId,
    apiKey,
    api,
    output: () => tail(out),
    stop: async () => {
      api.close();
      await cleanup();
    },
  };
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-8).join(' ⏎ ').slice(-1500);
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
function deepMergePlain(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(base[k]) ? deepMergePlain(base[k], v) : v;
  return out;
}
