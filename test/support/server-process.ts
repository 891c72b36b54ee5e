import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { transformFile } from '@swc/core';

/**
 * Runs the server as real OS processes (replicas, kill -9, captured stdout), from the current
 * sources: they are transpiled with swc (the transform Jest uses) into a temp dir, so a test never
 * runs a stale dist/. Type checking stays with `tsc --noEmit`.
 */
export const REPO_ROOT = resolve(__dirname, '../..');

/** How the sources are transpiled (also for code a test builds itself, e.g. an external plugin). */
export const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript' as const, decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022' as const,
    keepClassNames: true,
  },
  module: { type: 'commonjs' as const },
  sourceMaps: false,
};

const live = new Set<ChildProcess>();
const compiledDirs = new Set<string>();
// Safety net when a suite fails before its afterAll: no server outlives the test process.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of compiledDirs) rmSync(dir, { recursive: true, force: true });
});

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) tsFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

export interface CompiledServer {
  dir: string;
  /** Absolute path of a compiled source file, e.g. entry('src/main.ts'). */
  entry(source: string): string;
  remove(): void;
}

/** Transpiles src/, plugins/ and the given extra sources (e.g. a test entry point). */
export async function compileServer(extra: string[] = []): Promise<CompiledServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lc-server-'));
  const sources = [...tsFiles(join(REPO_ROOT, 'src')), ...tsFiles(join(REPO_ROOT, 'plugins')), ...extra.map((p) => resolve(REPO_ROOT, p))];
  await Promise.all(
    sources.map(async (file) => {
      const { code } = await transformFile(file, SWC_OPTIONS);
      const target = join(dir, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
    }),
  );
  compiledDirs.add(dir);
  return {
    dir,
    entry: (source) => join(dir, source.replace(/\.ts$/, '.js')),
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      compiledDirs.delete(dir);
    },
  };
}

export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the base URL once the server prints its listening line. */
  ready: Promise<string>;
  exited: Promise<void>;
  running(): boolean;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnServerOptions {
  name: string;
  /** The compiled entry point (default src/main.js). */
  script: string;
  env: Record<string, string>;
  /** Extra stdio slot for an IPC channel to the child. */
  ipc?: boolean;
  startTimeoutMs?: number;
}

export function spawnServer(options: SpawnServerOptions): ServerProcess {
  const child = spawn(process.execPath, [options.script], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_PATH: join(REPO_ROOT, 'node_modules'),
      PORT: '0',
      HOST: '127.0.0.1',
      ...options.env,
    },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`failed to spawn ${options.name}`);
  live.add(child);
  const chunks: string[] = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      live.delete(child);
      resolveExit();
    }),
  );
  const ready = new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.name} did not start in time; output:\n${chunks.join('').slice(-4000)}`)),
      options.startTimeoutMs ?? 120_000,
    );
    const onData = (chunk: Buffer) => {
      chunks.push(chunk.toString('utf8'));
      const match = /listening on (http:\/\/\S+)/.exec(chunks.join(''));
      if (match) {
        clearTimeout(timer);
        resolveReady(match[1].replace('[::1]', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (code ${exitCode}) before listening; output:\n${chunks.join('').slice(-4000)}`));
    });
  });
  ready.catch(() => undefined);
  return {
    name: options.name,
    child,
    pid: child.pid,
    output: () => chunks.join(''),
    ready,
    exited,
    running: () => exitCode === undefined,
    kill: (signal = 'SIGKILL') => {
      if (exitCode === undefined) child.kill(signal);
    },
    async stop(graceMs = 5000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs the compiled CLI (same config through env) and returns its stdout. */
/** Runs the CLI; with `timeoutMs`, a CLI still running then is killed and the call fails (a hang). */
export function runCli(compiled: CompiledServer, args: string[], env: Record<string, string>, timeoutMs?: number): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [compiled.entry('src/cli.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_PATH: join(REPO_ROOT, 'node_modules'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs);
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`cli ${args.join(' ')} still running after ${timeoutMs} ms (killed): ${err || out}`));
      else if (code === 0) resolveRun(out);
      else reject(new Error(`cli ${args.join(' ')} exited ${code}: ${err || out}`));
    });
  });
}
