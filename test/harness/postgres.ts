import { Client } from 'pg';
import { registerTeardown } from './processes';

/** Admin connection for creating the LND databases (trust auth on the test machine). */
export const HARNESS_PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const PREFIX = 'lnharness';

export interface LndDatabase {
  readonly name: string;
  /** What lnd's --db.postgres.dsn wants. */
  readonly dsn: string;
  /** Drops the database (forcing off any connection). Idempotent. */
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`the PostgreSQL cluster layout needs PostgreSQL at ${new URL(adminUrl).host}, which is unreachable: ${(err as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A fresh, empty PostgreSQL database for one LND cluster (lnd creates its tables itself, see
 * lnd's docs/postgres.md). The name carries this process's pid so that databases left behind by a
 * SIGKILLed run (no teardown ran) are dropped by the next run; it is dropped by stopAll() after the
 * lnd processes have stopped.
 */
export async function createLndDatabase(label: string, adminUrl = HARNESS_PG_ADMIN_URL): Promise<LndDatabase> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .slice(0, 20);
  const name = `${PREFIX}_${process.pid}_${safeLabel}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  await withAdmin(adminUrl, async (admin) => {
    const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}\\_%'`);
    for (const { datname } of stale.rows) {
      const pid = Number(datname.split('_')[1]);
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
      }
    }
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  url.searchParams.set('sslmode', 'disable');
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    dropped = true;
  };
  registerTeardown(drop);
  return { name, dsn: url.toString(), drop };
}
