// Runs every benchmark once, on one shared regtest network, and prints ONE markdown table to
// stdout (progress goes to stderr). Bounded: each bench has its own count and time limits, and
// run-all gives each a hard deadline so the whole run stays under 15 minutes.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Network } from '../test/harness';
import { stopAll } from '../test/harness';
import { run as checkoutCreate } from './checkout-create';
import { run as embedded } from './embedded';
import { run as failover, runLayouts as failoverOnLayouts } from './failover';
import { SHARED_NETWORK, startBenchNetwork } from './lib/network';
import { errorMessage, markdownTable, unavailable, type Row } from './lib/report';
import { REPO_ROOT } from './lib/server';
import { run as settleLatency } from './settle-latency';

const TOTAL_BUDGET_MS = 15 * 60_000;
const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${msg}\n`);

async function bounded(name: string, limitMs: number, work: () => Promise<Row[]>): Promise<Row[]> {
  const left = TOTAL_BUDGET_MS - 30_000 - (Date.now() - started);
  const budget = Math.min(limitMs, left);
  if (budget <= 0) return [unavailable(name, 'all figures', 'skipped: the 15-minute budget of run-all is spent')];
  log(`${name}: start (deadline ${(budget / 1000).toFixed(0)} s)`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Row[]>((resolve) => {
    timer = setTimeout(() => resolve([unavailable(name, 'all figures', `did not finish within ${(budget / 1000).toFixed(0)} s`)]), budget);
  });
  try {
    const rows = await Promise.race([work(), timeout]);
    log(`${name}: done`);
    return rows;
  } catch (err) {
    return [unavailable(name, 'all figures', errorMessage(err))];
  } finally {
    clearTimeout(timer);
  }
}

/** bench/webhook-delivery.ts belongs to the webhooks work; it is run when it has been built. */
async function webhookDelivery(): Promise<Row[]> {
  const file = join(__dirname, 'webhook-delivery.js');
  if (!existsSync(file)) return [unavailable('webhook-delivery', 'all figures', 'bench/webhook-delivery.ts not present')];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { run?: (opts?: unknown) => Promise<unknown> };
  if (typeof mod.run !== 'function') return [unavailable('webhook-delivery', 'all figures', 'bench/webhook-delivery.ts exports no run()')];
  return toRows('webhook-delivery', await mod.run());
}

/** Accepts Row[] or a plain { figure: value } object from benches written elsewhere. */
function toRows(bench: string, result: unknown): Row[] {
  if (Array.isArray(result)) {
    return result.map((r) => {
      const row = r as Partial<Row> & Record<string, unknown>;
      return {
        bench: row.bench ?? bench,
        figure: String(row.figure ?? (row.name as string | undefined) ?? ''),
        value: String(row.value ?? ''),
        baseline: row.baseline === undefined ? undefined : String(row.baseline),
        ratio: row.ratio === undefined ? undefined : String(row.ratio),
        target: row.target === undefined ? undefined : String(row.target),
        verdict: row.verdict === undefined ? undefined : String(row.verdict),
        note: row.note === undefined ? undefined : String(row.note),
      };
    });
  }
  if (result && typeof result === 'object') {
    return Object.entries(result as Record<string, unknown>).map(([figure, value]) => ({
      bench,
      figure,
      value: typeof value === 'string' ? value : JSON.stringify(value),
    }));
  }
  return [{ bench, figure: 'result', value: String(result) }];
}

function machine(): string {
  let commit = '';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  return `${new Date().toISOString()} · ${cpus().length} cores (${cpus()[0]?.model ?? '?'}) · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} · Node ${process.version}${commit ? ` · commit ${commit}` : ''}`;
}

async function main(): Promise<void> {
  log(`machine: ${machine()}`);
  const rows: Row[] = [];
  rows.push(...(await bounded('embedded', 150_000, () => embedded())));

  let net: Network | undefined;
  let netError = '';
  await bounded('regtest network', 240_000, async () => {
    net = await startBenchNetwork({ merchants: SHARED_NETWORK.merchants, clusterMembers: SHARED_NETWORK.clusterMembers });
    log(
      `network up in ${(net.setupMs / 1000).toFixed(1)} s: btcd, customer, ${net.merchants.length} merchants, cluster of ${net.clusters[0]?.members.length ?? 0}`,
    );
    return [];
  }).then((r) => (netError = r[0]?.value ?? ''));
  if (!net) netError ||= 'unavailable: regtest network did not start';

  if (net) {
    const shared = net;
    rows.push(...(await bounded('checkout-create', 300_000, () => checkoutCreate({ network: shared }))));
    rows.push(...(await bounded('settle-latency', 150_000, () => settleLatency({ network: shared }))));
    rows.push(...(await bounded('webhook-delivery', 120_000, webhookDelivery)));
    // Last: it kills the cluster leader.
    rows.push(...(await bounded('failover', 300_000, () => failover({ network: shared }))));
  } else {
    for (const bench of ['checkout-create', 'settle-latency', 'failover']) rows.push({ bench, figure: 'all figures', value: netError });
    rows.push(...(await bounded('webhook-delivery', 120_000, webhookDelivery)));
  }
  log('stopping the regtest network');
  await stopAll().catch(() => undefined);
  // The shared cluster keeps its data in etcd; the PostgreSQL layout (etcd only elects) on a network of its own.
  if (net) rows.push(...(await bounded('failover (postgres layout)', 240_000, () => failoverOnLayouts(['postgres']))));
  log(`finished in ${((Date.now() - started) / 1000).toFixed(0)} s; machine at the end: ${machine()}`);
  console.log(markdownTable(rows));
}

main()
  .then(() => process.exit(0))
  .catch(async (err) => {
    console.error(err);
    await stopAll().catch(() => undefined);
    process.exit(1);
  });
