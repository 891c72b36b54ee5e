import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Btcd } from './btcd';
import { closeLnd, ln, type AuthenticatedLnd, type UnauthenticatedLnd } from './ln';
import { binPaths } from './paths';
import { freePort } from './ports';
import { makeTempDir, registerCleanup, spawnProcess, type ManagedProcess } from './processes';
import { waitFor, withTimeout } from './wait';

/** lnd's State RPC values, plus DOWN (RPC port refuses/errs) and UNRESPONSIVE (no answer in time, e.g. SIGSTOPped). */
export type LndState = 'NON_EXISTING' | 'LOCKED' | 'UNLOCKED' | 'RPC_ACTIVE' | 'SERVER_ACTIVE' | 'WAITING_TO_START' | 'DOWN' | 'UNRESPONSIVE';

export interface StartLndOptions {
  btcd: Btcd;
  name: string;
  /** Appended last, so they can override the defaults. */
  extraArgs?: string[];
  /** Enable the REST listener on a random port (default: --norest). */
  rest?: boolean;
  /** Wait for SERVER_ACTIVE + synced_to_chain before resolving (default true). */
  waitReady?: boolean;
  /** Use this dir as --lnddir instead of a fresh temp dir. */
  dir?: string;
  /**
   * Wallet password file (--wallet-unlock-password-file + --wallet-unlock-allow-create) instead
   * of --noseedbackup. Used by cluster members.
   */
  walletPasswordFile?: string;
  readyTimeoutMs?: number;
}

export const DEFAULT_READY_TIMEOUT_MS = 120_000;

/** A running (or stopped/killed) lnd process with ln-service handles. */
export class LndNode {
  readonly name: string;
  readonly dir: string;
  /** gRPC host:port (what ln-service calls `socket`). */
  readonly socket: string;
  /** p2p host:port, for addPeer. */
  readonly p2pSocket: string;
  readonly restSocket?: string;
  readonly certPath: string;
  readonly macaroonPath: string;
  readonly logPath: string;
  readonly args: string[];
  readonly readyTimeoutMs: number;
  private proc?: ManagedProcess;
  private authed?: AuthenticatedLnd;
  private unauthed?: UnauthenticatedLnd;
  protected identity?: string;

  constructor(opts: { name: string; dir: string; rpcPort: number; p2pPort: number; restPort?: number; args: string[]; readyTimeoutMs?: number }) {
    this.name = opts.name;
    this.dir = opts.dir;
    this.socket = `127.0.0.1:${opts.rpcPort}`;
    this.p2pSocket = `127.0.0.1:${opts.p2pPort}`;
    this.restSocket = opts.restPort ? `127.0.0.1:${opts.restPort}` : undefined;
    this.certPath = join(opts.dir, 'tls.cert');
    this.macaroonPath = join(opts.dir, 'data', 'chain', 'bitcoin', 'regtest', 'admin.macaroon');
    this.logPath = join(opts.dir, 'lnd.out.log');
    this.args = opts.args;
    this.readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    registerCleanup(() => this.closeClients());
  }

  get process(): ManagedProcess {
    if (!this.proc) throw new Error(`${this.name} was never started`);
    return this.proc;
  }

  running(): boolean {
    return !!this.proc?.running();
  }

  /** base64 of tls.cert (what ln-service wants as `cert`). */
  get cert(): string {
    return readFileSync(this.certPath).toString('base64');
  }

  /** base64 of admin.macaroon (written once the wallet is unlocked). */
  get macaroon(): string {
    return readFileSync(this.macaroonPath).toString('base64');
  }

  get pubkey(): string {
    if (!this.identity) throw new Error(`${this.name}: pubkey unknown until the node was ready once`);
    return this.identity;
  }

  /** The macaroon `lnd` authenticates with (cluster members use the cluster-wide one). */
  protected clientMacaroon(): string {
    return this.macaroon;
  }

  /** ln-service authenticated API object (built on first use after the macaroon exists). */
  get lnd(): AuthenticatedLnd {
    if (!this.authed) {
      this.authed = ln.authenticatedLndGrpc({ cert: this.cert, macaroon: this.clientMacaroon(), socket: this.socket }).lnd;
    }
    return this.authed;
  }

  /** An ln-service API object for this node's socket with a given macaroon (e.g. from another cluster member). */
  lndWithMacaroon(macaroon: string): AuthenticatedLnd {
    return ln.authenticatedLndGrpc({ cert: this.cert, macaroon, socket: this.socket }).lnd;
  }

  /** Unauthenticated API object (State / WalletUnlocker services). */
  get unauthenticatedLnd(): UnauthenticatedLnd {
    if (!this.unauthed) this.unauthed = ln.unauthenticatedLndGrpc({ cert: this.cert, socket: this.socket }).lnd;
    return this.unauthed;
  }

  /** Spawns lnd (again). Does not wait; see waitReady()/waitRpc(). */
  spawn(): void {
    if (this.proc?.running()) throw new Error(`${this.name} is already running`);
    this.closeClients();
    this.proc = spawnProcess({ name: this.name, bin: binPaths().lnd, args: this.args, logPath: this.logPath });
  }

  /** Waits until tls.cert exists and the State RPC answers; returns the state. */
  async waitRpc(timeoutMs = this.readyTimeoutMs): Promise<LndState> {
    const certWritten = () =>
      existsSync(this.certPath) && existsSync(join(this.dir, 'tls.key')) && readFileSync(this.certPath, 'utf8').includes('END CERTIFICATE');
    await waitFor(`${this.name} tls.cert`, () => (this.process.assertRunning(), certWritten()), {
      timeoutMs,
      intervalMs: 100,
    });
    return waitFor(
      `${this.name} State RPC`,
      async () => {
        this.process.assertRunning();
        const state = await this.state();
        return state !== 'DOWN' && state !== 'UNRESPONSIVE' && state;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Waits for SERVER_ACTIVE and getWalletInfo.is_synced_to_chain; records the pubkey. */
  async waitReady(timeoutMs = this.readyTimeoutMs): Promise<void> {
    await this.waitRpc(timeoutMs);
    await waitFor(`${this.name} SERVER_ACTIVE`, async () => (this.process.assertRunning(), (await this.state()) === 'SERVER_ACTIVE'), {
      timeoutMs,
      intervalMs: 100,
    });
    await waitFor(`${this.name} admin.macaroon`, () => existsSync(this.macaroonPath) && statSync(this.macaroonPath).size > 0, {
      timeoutMs,
      intervalMs: 100,
    });
    const info = await waitFor(
      `${this.name} synced to chain`,
      async () => {
        this.process.assertRunning();
        const info = await ln.getWalletInfo({ lnd: this.lnd });
        return info.is_synced_to_chain && info;
      },
      { timeoutMs, intervalMs: 200 },
    );
    this.identity = info.public_key;
  }

  /** Current State RPC value (DOWN if unreachable, UNRESPONSIVE if no answer within timeoutMs). */
  async state(timeoutMs = 3000): Promise<LndState> {
    if (!existsSync(this.certPath)) return 'DOWN';
    try {
      const s = await withTimeout(ln.getWalletStatus({ lnd: this.unauthenticatedLnd }), timeoutMs, `${this.name} state`).catch((err: unknown) => {
        if (err instanceof Error && err.message.startsWith('timed out')) return 'UNRESPONSIVE' as const;
        throw err;
      });
      if (s === 'UNRESPONSIVE') return s;
      if (s.is_ready) return 'SERVER_ACTIVE';
      if (s.is_active) return 'RPC_ACTIVE';
      if (s.is_waiting) return 'WAITING_TO_START';
      if (s.is_starting) return 'UNLOCKED';
      if (s.is_locked) return 'LOCKED';
      if (s.is_absent) return 'NON_EXISTING';
      return 'DOWN';
    } catch {
      return 'DOWN';
    }
  }

  /** Sends a signal; for terminating signals waits until the process is gone. Default SIGKILL. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.proc?.running()) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return this.proc.signal(signal);
    this.closeClients();
    this.proc.signal('SIGCONT');
    this.proc.signal(signal);
    await this.proc.exited;
  }

  /** Graceful stop (SIGTERM, SIGKILL after graceMs). */
  async stop(graceMs = 5000): Promise<void> {
    this.closeClients();
    await this.proc?.stop(graceMs);
  }

  /** Stops (if running) and starts again with the same dir, ports and flags; waits until ready. */
  async restart(opts: { waitReady?: boolean } = {}): Promise<void> {
    await this.stop();
    this.spawn();
    if (opts.waitReady ?? true) await this.waitReady();
    else await this.waitRpc();
  }

  /** SIGSTOP: the process freezes, sockets stay open (simulates a hung node). */
  pause(): void {
    this.proc?.pause();
  }

  resume(): void {
    this.proc?.resume();
  }

  /** Drops cached ln-service clients (they are rebuilt lazily). */
  closeClients(): void {
    closeLnd(this.authed);
    closeLnd(this.unauthed);
    this.authed = undefined;
    this.unauthed = undefined;
  }

  tail(lines = 40): string {
    return this.proc?.tail(lines) ?? '';
  }
}

/** Flags shared by every harness lnd (regtest flags as in lnd's own itests, tuned for speed). */
export function baseLndArgs(o: {
  btcd: Btcd;
  name: string;
  dir: string;
  rpcPort: number;
  p2pPort: number;
  restPort?: number;
  walletPasswordFile?: string;
}): string[] {
  return [
    `--lnddir=${o.dir}`,
    `--alias=${o.name}`,
    '--bitcoin.regtest',
    ...o.btcd.lndArgs(),
    ...(o.walletPasswordFile ? [`--wallet-unlock-password-file=${o.walletPasswordFile}`, '--wallet-unlock-allow-create'] : ['--noseedbackup']),
    '--nobootstrap',
    '--debuglevel=info',
    '--logging.file.disable',
    '--logging.no-commit-hash',
    '--bitcoin.defaultchanconfs=1',
    '--trickledelay=50',
    '--gossip.sub-batch-delay=5ms',
    '--caches.rpc-graph-cache-duration=100ms',
    '--db.batch-commit-interval=10ms',
    '--maxpendingchannels=10',
    '--accept-keysend',
    '--protocol.wumbo-channels',
    `--rpclisten=127.0.0.1:${o.rpcPort}`,
    `--listen=127.0.0.1:${o.p2pPort}`,
    `--externalip=127.0.0.1:${o.p2pPort}`,
    ...(o.restPort ? [`--restlisten=127.0.0.1:${o.restPort}`] : ['--norest']),
  ];
}

/** Creates (does not start) an LndNode with fresh ports and dir. */
export async function createLnd(opts: StartLndOptions): Promise<LndNode> {
  const dir = opts.dir ?? makeTempDir(`lnd-${opts.name}`);
  mkdirSync(dir, { recursive: true });
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const restPort = opts.rest ? await freePort() : undefined;
  const args = [
    ...baseLndArgs({ btcd: opts.btcd, name: opts.name, dir, rpcPort, p2pPort, restPort, walletPasswordFile: opts.walletPasswordFile }),
    ...(opts.extraArgs ?? []),
  ];
  return new LndNode({ name: opts.name, dir, rpcPort, p2pPort, restPort, args, readyTimeoutMs: opts.readyTimeoutMs });
}

/** Starts a standalone lnd (bbolt, --noseedbackup) against btcd and waits until it is ready. */
export async function startLnd(opts: StartLndOptions): Promise<LndNode> {
  const node = await createLnd(opts);
  node.spawn();
  if (opts.waitReady ?? true) await node.waitReady();
  else await node.waitRpc();
  return node;
}
