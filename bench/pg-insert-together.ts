// The PostgreSQL create path's database part, one checkout + its outbox event at a time: the
// one-statement insert run inside a transaction on its own connection (what the server does now)
// against the same statement sent to the pg pool outside any transaction (what it did before, which
// a surrounding transaction could not roll back). Interleaved in blocks, so machine load hits both.
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Checkout } from '../src/checkout/checkout.entity';
import { CheckoutEvent } from '../src/checkout/checkout-event.entity';
import { AdditionalStatus, CheckoutEventType, CheckoutStatus } from '../src/checkout/checkout-status';
import { DatabaseConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { insertTogether } from '../src/database/fast-insert';
import { errorMessage, runStandalone, unavailable, type Row } from './lib/report';
import { ms, percentile, ratio } from './lib/stats';

const BENCH = 'pg-insert-together';
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function rows(i: number): [[typeof Checkout, Partial<Checkout>], [typeof CheckoutEvent, Partial<CheckoutEvent>]] {
  const id = randomBytes(12).toString('hex');
  const now = new Date();
  return [
    [
      Checkout,
      {
        id,
        storeId: 'bench',
        status: CheckoutStatus.New,
        additionalStatus: AdditionalStatus.None,
        amountSats: 1000 + i,
        currency: 'SATS',
        amount: String(1000 + i),
        rate: null,
        orderId: `o-${i}`,
        customerId: null,
        description: null,
        redirectUrl: null,
        metadata: null,
        idempotencyKey: null,
        idempotencyFingerprint: null,
        bolt11: 'lnbcrt1bench',
        paymentHash: randomBytes(32).toString('hex'),
        nodeName: 'dev',
        nodePubkey: '02'.padEnd(66, 'a'),
        expiresAt: now,
        settledAt: null,
        amountPaidSats: null,
        invoiceCancelPending: false,
        createdAt: now,
        updatedAt: now,
      },
    ],
    [CheckoutEvent, { id: `evt_${id}`, storeId: 'bench', checkoutId: id, type: CheckoutEventType.InvoiceCreated, payload: { n: i }, dispatchedAt: null }],
  ];
}

/** The statement insertTogether builds, sent to the pool as before (outside any transaction). */
async function viaPool(ds: DataSource, i: number): Promise<void> {
  const pool = (ds.driver as PostgresDriver).master as Pool;
  let captured: { text: string; values: unknown[] } | undefined;
  // Build the exact same SQL by letting insertTogether run on a recording client.
  await insertTogether(
    {
      connection: ds,
      queryRunner: { isTransactionActive: true, connect: async () => ({ query: async (q: { text: string; values: unknown[] }) => void (captured = q) }) },
    } as never,
    rows(i),
  );
  await pool.query({ name: `bench_pool_${captured!.text.length}`, text: captured!.text, values: captured!.values });
}

export async function run(total = Number(process.env.BENCH_PG_INSERTS ?? 600)): Promise<Row[]> {
  const name = `lc_bench_ins_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    return [unavailable(BENCH, 'insert p50', errorMessage(err))];
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const ds = new DataSource(dataSourceOptions({ type: 'postgres', url: url.toString(), migrationsRun: true, logging: false } as DatabaseConfig));
  try {
    await ds.initialize();
    await ds.query(`INSERT INTO stores (id, name) VALUES ('bench', 'Bench')`);
    const inside: number[] = [];
    const outside: number[] = [];
    for (let i = 0; i < total + 40; i++) {
      const block = Math.floor(i / 20) % 2;
      const started = process.hrtime.bigint();
      if (block === 0) await ds.transaction((m) => insertTogether(m, rows(i)));
      else await viaPool(ds, i);
      const took = Number(process.hrtime.bigint() - started) / 1e6;
      if (i >= 40) (block === 0 ? inside : outside).push(took);
    }
    const inP50 = percentile(inside, 50);
    const outP50 = percentile(outside, 50);
    return [
      {
        bench: BENCH,
        figure: 'checkout + event insert p50, inside its transaction (now)',
        value: ms(inP50),
        baseline: `${ms(outP50)} pool, outside any transaction (before)`,
        ratio: ratio(inP50, outP50),
        note: `${inside.length} + ${outside.length} inserts, one at a time, interleaved in blocks of 20`,
      },
      {
        bench: BENCH,
        figure: 'checkout + event insert p99, inside its transaction (now)',
        value: ms(percentile(inside, 99)),
        baseline: ms(percentile(outside, 99)),
        ratio: ratio(percentile(inside, 99), percentile(outside, 99)),
      },
    ];
  } finally {
    await ds.destroy().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

if (require.main === module) runStandalone(() => run());
