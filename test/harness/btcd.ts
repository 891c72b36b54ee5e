import { readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { binPaths } from './paths';
import { freePort } from './ports';
import { makeTempDir, spawnProcess, type ManagedProcess } from './processes';
import { waitFor } from './wait';

/** A valid regtest P2WPKH address nobody needs to spend from; default coinbase destination. */
export const BURN_ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

export interface Btcd {
  readonly name: string;
  readonly dir: string;
  readonly logPath: string;
  readonly process: ManagedProcess;
  /** 127.0.0.1:<port> of the JSON-RPC server (TLS, self-signed cert below). */
  readonly rpcHost: string;
  /** 127.0.0.1:<port> of the p2p listener. */
  readonly p2pHost: string;
  readonly rpcUser: string;
  readonly rpcPass: string;
  /** PEM of btcd's RPC TLS certificate. */
  readonly rpcCert: string;
  /** JSON-RPC call (https, basic auth). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  height(): Promise<number>;
  /**
   * Mines n blocks and returns their hashes. Without toAddress the coinbases go to BURN_ADDRESS.
   * With toAddress (btcd has no generatetoaddress) a short-lived second btcd, connected over p2p
   * and started with --miningaddr=toAddress, mines them and they are relayed to this node.
   * Resolves once this node has the new tip.
   */
  mine(n: number, toAddress?: string): Promise<string[]>;
  /** lnd flags pointing at this btcd (--bitcoin.node=btcd --btcd.*). */
  lndArgs(): string[];
  stop(): Promise<void>;
}

interface RawBtcd {
  dir: string;
  process: ManagedProcess;
  rpcHost: string;
  p2pHost?: string;
  rpcCert: string;
  rpc: <T>(method: string, params?: unknown[]) => Promise<T>;
}

const RPC_USER = 'harness';
const RPC_PASS = 'harness';

function rpcCall<T>(host: string, cert: string, method: string, params: unknown[] = []): Promise<T> {
  const [hostname, port] = host.split(':');
  const body = JSON.stringify({ jsonrpc: '1.0', id: 1, method, params });
  return new Promise<T>((resolve, reject) => {
    const req = request(
      {
        hostname,
        port: Number(port),
        method: 'POST',
        path: '/',
        ca: cert,
        // The cert is pinned via `ca`; btcd's SAN list depends on the machine's interfaces.
        checkServerIdentity: () => undefined,
        auth: `${RPC_USER}:${RPC_PASS}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
        timeout: 120_000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => {
          try {
            const parsed = JSON.parse(data) as { result: T; error?: { code: number; message: string } | null };
            if (parsed.error) reject(new Error(`btcd ${method}: ${parsed.error.message} (${parsed.error.code})`));
            else resolve(parsed.result);
          } catch {
            reject(new Error(`btcd ${method}: HTTP ${res.statusCode} ${data.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`btcd ${method}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function launchBtcd(opts: { label: string; miningAddress: string; connect?: string }): Promise<RawBtcd> {
  const bins = binPaths();
  const dir = makeTempDir(opts.label);
  const rpcPort = await freePort();
  const p2pPort = opts.connect ? undefined : await freePort();
  const certPath = join(dir, 'rpc.cert');
  writeFileSync(join(dir, 'btcd.conf'), '');
  const args = [
    `--configfile=${join(dir, 'btcd.conf')}`,
    `--datadir=${join(dir, 'data')}`,
    `--logdir=${join(dir, 'logs')}`,
    '--regtest',
    '--txindex',
    '--rejectnonstd',
    '--nobanning',
    '--nostalldetect',
    '--trickleinterval=50ms',
    '--debuglevel=info',
    '--rpcmaxwebsockets=100',
    `--rpcuser=${RPC_USER}`,
    `--rpcpass=${RPC_PASS}`,
    `--rpclisten=127.0.0.1:${rpcPort}`,
    `--rpccert=${certPath}`,
    `--rpckey=${join(dir, 'rpc.key')}`,
    `--miningaddr=${opts.miningAddress}`,
    ...(opts.connect ? [`--connect=${opts.connect}`, '--nolisten'] : [`--listen=127.0.0.1:${p2pPort}`]),
  ];
  const proc = spawnProcess({
    name: opts.label,
    bin: bins.btcd,
    args,
    logPath: join(dir, 'btcd.out.log'),
    tier: 'infra',
  });
  const rpcHost = `127.0.0.1:${rpcPort}`;
  const cert = await waitFor(
    `${opts.label} rpc cert`,
    () => {
      proc.assertRunning();
      return existsSync(certPath) && readFileSync(certPath, 'utf8').includes('END CERTIFICATE') && readFileSync(certPath, 'utf8');
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  const rpc = <T>(method: string, params?: unknown[]) => rpcCall<T>(rpcHost, cert, method, params);
  await waitFor(
    `${opts.label} rpc`,
    async () => {
      proc.assertRunning();
      return (await rpc<number>('getblockcount')) >= 0;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return { dir, process: proc, rpcHost, p2pHost: p2pPort ? `127.0.0.1:${p2pPort}` : undefined, rpcCert: cert, rpc };
}

export interface StartBtcdOptions {
  name?: string;
  /** Default coinbase destination for mine(n) without an address. */
  miningAddress?: string;
}

/** Height at which segwit is active on a fresh btcd regtest chain. */
export const SEGWIT_ACTIVATION_HEIGHT = 432;

/**
 * Starts btcd in regtest on random loopback ports and mines up to segwit activation (this also
 * makes the tip recent: lnd only reports synced_to_chain when the best block is fresh).
 */
export async function startBtcd(opts: StartBtcdOptions = {}): Promise<Btcd> {
  const name = opts.name ?? 'btcd';
  const raw = await launchBtcd({ label: name, miningAddress: opts.miningAddress ?? BURN_ADDRESS });
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const mineWithMiner = async (n: number, toAddress: string): Promise<string[]> => {
    const miner = await launchBtcd({ label: `${name}-miner`, miningAddress: toAddress, connect: raw.p2pHost });
    try {
      const tip = await raw.rpc<string>('getbestblockhash');
      await waitFor(`miner to sync with ${name}`, async () => (await miner.rpc<string>('getbestblockhash')) === tip, {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      const hashes = await miner.rpc<string[]>('generate', [n]);
      const last = hashes[hashes.length - 1];
      await waitFor(`${name} to receive mined blocks`, async () => (await raw.rpc<string>('getbestblockhash')) === last, {
        timeoutMs: 120_000,
        intervalMs: 50,
      });
      return hashes;
    } finally {
      await miner.process.stop(3000);
      rmSync(miner.dir, { recursive: true, force: true });
    }
  };

  const btcd: Btcd = {
    name,
    dir: raw.dir,
    logPath: raw.process.logPath,
    process: raw.process,
    rpcHost: raw.rpcHost,
    p2pHost: raw.p2pHost!,
    rpcUser: RPC_USER,
    rpcPass: RPC_PASS,
    rpcCert: raw.rpcCert,
    rpc: raw.rpc,
    height: () => raw.rpc<number>('getblockcount'),
    mine: (n, toAddress) =>
      serialize(async () => {
        if (n <= 0) return [];
        if (toAddress) return mineWithMiner(n, toAddress);
        return raw.rpc<string[]>('generate', [n]);
      }),
    lndArgs: () => [
      '--bitcoin.node=btcd',
      `--btcd.rpchost=${raw.rpcHost}`,
      `--btcd.rpcuser=${RPC_USER}`,
      `--btcd.rpcpass=${RPC_PASS}`,
      `--btcd.rawrpccert=${Buffer.from(raw.rpcCert).toString('hex')}`,
    ],
    stop: () => raw.process.stop(),
  };
  // Regtest segwit is a BIP9 deployment: DEFINED -> STARTED -> LOCKED_IN -> ACTIVE takes three
  // 144-block windows, so mine 432 blocks up front (~1 s). Before that, lnd's funding txs are
  // rejected with "has witness data, but segwit isn't active yet".
  await btcd.mine(SEGWIT_ACTIVATION_HEIGHT);
  return btcd;
}
