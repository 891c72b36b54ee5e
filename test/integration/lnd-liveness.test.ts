// deploy/regtest/lnd-with-liveness.sh (what every lnd in docker-compose.yml runs under) against a
// real lnd: a live lnd is left alone; a frozen one (SIGSTOP: its sockets stay open, as a hung
// leader's do) is SIGKILLed, so the wrapper exits and the container would be restarted.
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  binPaths,
  createLnd,
  registerCleanup,
  sleep,
  spawnProcess,
  startBtcd,
  stopAll,
  waitFor,
  withTimeout,
  type LndNode,
  type ManagedProcess,
} from '../harness';

jest.setTimeout(5 * 60_000);

const SCRIPT = join(__dirname, '../../deploy/regtest/lnd-with-liveness.sh');
const INTERVAL_S = 1;
const TIMEOUT_S = 5;
const FAILURES = 3;

/** pid of the lnd process the wrapper started (its child running the lnd binary). */
function lndChildOf(parent: number): number | undefined {
  const lndExe = realpathSync(binPaths().lnd);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && realpathSync(`/proc/${entry}/exe`) === lndExe) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('lnd liveness wrapper (deploy/regtest/lnd-with-liveness.sh)', () => {
  let node: LndNode;
  let wrapper: ManagedProcess;
  let lndPid: number;

  beforeAll(async () => {
    const started = Date.now();
    const btcd = await startBtcd();
    node = await createLnd({ btcd, name: 'watched' });
    const bins = [dirname(binPaths().lnd), dirname(binPaths().lncli)];
    wrapper = spawnProcess({
      name: 'lnd-with-liveness',
      bin: SCRIPT,
      args: node.args,
      logPath: node.logPath,
      env: {
        PATH: `${[...new Set(bins)].join(':')}:${process.env.PATH}`,
        LND_LIVENESS_INTERVAL: String(INTERVAL_S),
        LND_LIVENESS_TIMEOUT: String(TIMEOUT_S),
        LND_LIVENESS_FAILURES: String(FAILURES),
      },
    });
    lndPid = await waitFor('the wrapper to start lnd', () => (wrapper.assertRunning(), lndChildOf(wrapper.pid)), { timeoutMs: 30_000, intervalMs: 100 });
    // The reaper knows only the wrapper: make sure lnd goes too, whatever happens to the wrapper.
    registerCleanup(() => alive(lndPid) && process.kill(lndPid, 'SIGKILL'));
    await waitFor('lnd SERVER_ACTIVE under the wrapper', async () => (wrapper.assertRunning(), (await node.state()) === 'SERVER_ACTIVE'), {
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    console.log(`lnd under the liveness wrapper SERVER_ACTIVE after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(() => stopAll());

  it('leaves a live lnd alone', async () => {
    await sleep((INTERVAL_S + TIMEOUT_S) * FAILURES * 1000 + 2000);
    expect(wrapper.running()).toBe(true);
    expect(alive(lndPid)).toBe(true);
    expect(await node.state()).toBe('SERVER_ACTIVE');
  });

  it('SIGKILLs a frozen lnd and exits, so the container restarts', async () => {
    const frozenAt = Date.now();
    process.kill(lndPid, 'SIGSTOP');
    expect(await node.state(1000)).toBe('UNRESPONSIVE');
    const exit = await withTimeout(wrapper.exited, 60_000, 'the wrapper to exit');
    const seconds = (Date.now() - frozenAt) / 1000;
    console.log(
      `frozen lnd killed and the wrapper exited ${seconds.toFixed(1)} s after SIGSTOP (probes ${INTERVAL_S} s apart, ${TIMEOUT_S} s timeout, ${FAILURES} failures)`,
    );
    expect(exit.code).toBe(128 + 9);
    expect(alive(lndPid)).toBe(false);
    expect(wrapper.tail(20)).toContain('is frozen: SIGKILL');
  });
});
