import { get } from 'node:http';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { binPaths } from './paths';
import { freePort } from './ports';
import { makeTempDir, registerCleanup, spawnProcess, type ManagedProcess } from './processes';
import { waitFor } from './wait';

export interface Etcd {
  readonly name: string;
  readonly dir: string;
  /** 127.0.0.1:<client port> (what lnd's --db.etcd.host wants). */
  readonly host: string;
  /** http://127.0.0.1:<client port> */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly logPath: string;
  readonly process: ManagedProcess;
  /** A shared etcd3 client (closed by stop()). */
  client(): Etcd3;
  stop(): Promise<void>;
}

function healthy(clientUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${clientUrl}/health`, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 && /"health"\s*:\s*"true"/.test(body)));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * Single-node etcd (Debian's 3.4) on random loopback ports, no TLS, data dir under a temp dir.
 * --max-txn-ops / --max-request-bytes as recommended by lnd's docs/leader_election.md.
 */
export async function startEtcd(opts: { name?: string } = {}): Promise<Etcd> {
  const name = opts.name ?? 'etcd';
  const dir = makeTempDir(name);
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const proc = spawnProcess({
    name,
    bin: binPaths().etcd,
    args: [
      `--name=${name}`,
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      '--initial-cluster-state=new',
      `--initial-cluster-token=${name}-${clientPort}`,
      '--max-txn-ops=16384',
      '--max-request-bytes=104857600',
      '--logger=zap',
      '--log-level=warn',
    ],
    logPath: join(dir, 'etcd.log'),
    // etcd 3.4 refuses to start on non-amd64 without this; harmless on amd64.
    env: process.arch === 'x64' ? {} : { ETCD_UNSUPPORTED_ARCH: process.arch === 'arm64' ? 'arm64' : process.arch },
    tier: 'infra',
  });
  await waitFor(`${name} health`, async () => (proc.assertRunning(), healthy(clientUrl)), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  let client: Etcd3 | undefined;
  registerCleanup(() => {
    client?.close();
    client = undefined;
  });
  return {
    name,
    dir,
    host: `127.0.0.1:${clientPort}`,
    clientUrl,
    peerUrl,
    logPath: proc.logPath,
    process: proc,
    client() {
      client ??= new Etcd3({ hosts: clientUrl });
      return client;
    },
    async stop() {
      client?.close();
      client = undefined;
      await proc.stop();
    },
  };
}
