import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  realpathSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaitAbort } from './wait';

/**
 * Every process and temp dir the harness creates is registered here so that `stopAll()` (and, as a
 * safety net, a process 'exit' hook plus a detached reaper that outlives a SIGKILLed jest) can
 * clean up. Set HARNESS_KEEP_TMP=1 to keep the temp dirs (logs) after the run.
 */

export type Tier = 'node' | 'infra';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly bin: string;
  /** Resolved executable path (what /proc/<pid>/exe points to). */
  readonly exe: string;
  readonly logPath: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  running(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM (after SIGCONT, in case it is paused), then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
  /** SIGSTOP / SIGCONT. */
  pause(): void;
  resume(): void;
  /** Last lines of the log, for error messages. */
  tail(lines?: number): string;
  /** Throws WaitAbort (with the log tail) if the process has exited; use inside waitFor probes. */
  assertRunning(): void;
}

const processes = new Set<ManagedProcess & { tier: Tier }>();
const dirs = new Set<string>();
const keepTmp = process.env.HARNESS_KEEP_TMP === '1';

let tmpRoot: string | undefined;
/** Base for temp dirs: HARNESS_TMPDIR, else /dev/shm (fast fsync for lnd/etcd), else os.tmpdir(). */
function tempRoot(): string {
  if (tmpRoot) return tmpRoot;
  const candidates = [process.env.HARNESS_TMPDIR, '/dev/shm', tmpdir()].filter((d): d is string => !!d);
  for (const dir of candidates) {
    try {
      accessSync(dir, constants.W_OK);
      tmpRoot = dir;
      return dir;
    } catch {
      // try next
    }
  }
  tmpRoot = tmpdir();
  return tmpRoot;
}

/** A fresh mkdtemp dir, removed by stopAll()/exit unless HARNESS_KEEP_TMP=1. */
export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tempRoot(), `lnharness-${label}-`));
  dirs.add(dir);
  writeReaperState();
  return dir;
}

export interface SpawnOptions {
  name: string;
  bin: string;
  args: string[];
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** 'node' processes (lnd) are stopped before 'infra' ones (btcd, etcd). */
  tier?: Tier;
}

export function spawnProcess(opts: SpawnOptions): ManagedProcess {
  const fd = openSync(opts.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.bin, opts.args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`failed to spawn ${opts.bin}`);
  const pid = child.pid;
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      processes.delete(proc);
      writeReaperState();
      resolve(exitInfo);
    });
    child.once('error', () => {
      exitInfo = exitInfo ?? { code: -1, signal: null };
      processes.delete(proc);
      resolve(exitInfo);
    });
  });

  const tail = (lines = 30) => {
    try {
      return readFileSync(opts.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };

  const proc: ManagedProcess & { tier: Tier } = {
    name: opts.name,
    pid,
    bin: opts.bin,
    exe: realpathSync(opts.bin),
    logPath: opts.logPath,
    exited,
    tier: opts.tier ?? 'node',
    running: () => exitInfo === undefined,
    signal(sig) {
      if (exitInfo === undefined) {
        try {
          process.kill(pid, sig);
        } catch {
          // gone
        }
      }
    },
    async stop(graceMs = 5000) {
      if (exitInfo !== undefined) return;
      proc.signal('SIGCONT');
      proc.signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const result = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        proc.signal('SIGKILL');
        await exited;
      }
    },
    pause: () => proc.signal('SIGSTOP'),
    resume: () => proc.signal('SIGCONT'),
    tail,
    assertRunning() {
      if (exitInfo !== undefined) {
        throw new WaitAbort(`${opts.name} exited (code ${exitInfo.code}, signal ${exitInfo.signal}); log ${opts.logPath}:\n${tail()}`);
      }
    },
  };
  processes.add(proc);
  writeReaperState();
  return proc;
}

const cleanups = new Set<() => unknown>();
const teardowns = new Set<() => unknown>();

/** Registers a hook (e.g. closing gRPC/etcd clients) that stopAll() runs before stopping processes. */
export function registerCleanup(fn: () => unknown): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/**
 * Registers a hook that stopAll() runs after every process has stopped (e.g. dropping a database
 * the processes were connected to).
 */
export function registerTeardown(fn: () => unknown): () => void {
  teardowns.add(fn);
  return () => teardowns.delete(fn);
}

/**
 * Closes registered clients, stops every process the harness started (lnd first, then btcd/etcd)
 * and removes the temp dirs.
 */
export async function stopAll(graceMs = 5000): Promise<void> {
  for (const fn of [...cleanups]) {
    try {
      await fn();
    } catch {
      // best effort
    }
  }
  cleanups.clear();
  const byTier = (tier: Tier) => [...processes].filter((p) => p.tier === tier);
  await Promise.all(byTier('node').map((p) => p.stop(graceMs)));
  await Promise.all(byTier('infra').map((p) => p.stop(graceMs)));
  await Promise.all([...processes].map((p) => p.stop(graceMs)));
  for (const fn of [...teardowns]) {
    try {
      await fn();
    } catch {
      // best effort
    }
  }
  teardowns.clear();
  removeDirs();
  writeReaperState();
}

function removeDirs(): void {
  if (keepTmp) {
    if (dirs.size) console.log(`[harness] keeping temp dirs: ${[...dirs].join(' ')}`);
    dirs.clear();
    return;
  }
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  dirs.clear();
}

// ---- safety nets -------------------------------------------------------------------------------

process.on('exit', () => {
  for (const p of processes) {
    p.signal('SIGCONT');
    p.signal('SIGKILL');
  }
  removeDirs();
  try {
    if (reaperState && existsSync(reaperState)) unlinkSync(reaperState);
  } catch {
    // ignore
  }
});

let reaperState: string | undefined;

/**
 * A detached bash loop that waits for this node process to die and then SIGKILLs whatever is
 * still listed in the state file (checking /proc/<pid>/exe to avoid killing a recycled pid) and
 * removes the temp dirs. Covers jest being SIGKILLed, where no 'exit' hook runs.
 */
function writeReaperState(): void {
  if (!reaperState) {
    if (processes.size === 0 && dirs.size === 0) return;
    reaperState = join(tmpdir(), `lnharness-reaper-${process.pid}-${Date.now()}.state`);
    writeFileSync(reaperState, '');
    const script = `
      parent="$1"; state="$2"; keep="$3"
      while kill -0 "$parent" 2>/dev/null; do sleep 1; done
      [ -f "$state" ] || exit 0
      while read -r kind val exe; do
        case "$kind" in
          pid) if [ "$(readlink "/proc/$val/exe" 2>/dev/null)" = "$exe" ]; then kill -CONT "$val"; kill -KILL "$val"; fi ;;
          dir) [ "$keep" = 1 ] || rm -rf -- "$val" ;;
        esac
      done < "$state"
      rm -f "$state"
    `;
    spawn('bash', ['-c', script, 'lnharness-reaper', String(process.pid), reaperState, keepTmp ? '1' : '0'], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  }
  const lines = [...[...processes].filter((p) => p.running()).map((p) => `pid ${p.pid} ${p.exe}`), ...[...dirs].map((d) => `dir ${d}`)];
  try {
    writeFileSync(`${reaperState}.tmp`, lines.join('\n') + '\n');
    renameSync(`${reaperState}.tmp`, reaperState);
  } catch {
    // best effort
  }
}
