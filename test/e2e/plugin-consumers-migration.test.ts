// Upgrading from the per-consumer cursor: the consumer is carried over, starting after its cursor,
// and the migration can be undone back to a cursor.
import { DataSource } from 'typeorm';
import { CHECKOUT_EVENT_TYPES } from '../../src/checkout/checkout-status';
import { DatabaseConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/test-db';

/** Undoes migrations, newest first, until `name` is undone: the schema just before it. */
async function undoThrough(ds: DataSource, name: string): Promise<string[]> {
  const undone: string[] = [];
  while (undone[undone.length - 1] !== name) {
    const [last] = await ds.query(`SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`);
    undone.push(last.name);
    await ds.undoLastMigration();
  }
  return undone;
}

describe(`plugin_cursors → plugin_consumers migration on ${TEST_DB}`, () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions({ ...db.config, migrationsRun: false, logging: false, sqliteSynchronous: 'full' } as DatabaseConfig));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('carries a cursor over as a consumer that takes every type, and back', async () => {
    await ds.runMigrations();
    // Back to the schema before this change: undo every migration from PluginConsumers on.
    const undone = await undoThrough(ds, 'PluginConsumers1732620000001');
    expect(undone).toEqual(expect.arrayContaining(['InvoiceCancelPending1732620000003', 'DevInvoices1732620000002']));
    const pg = ds.options.type === 'postgres';
    await ds.query(`INSERT INTO plugin_cursors (consumer, "lastSeq", "updatedAt") VALUES (${pg ? '$1, $2, $3' : '?, ?, ?'})`, [
      'woocommerce',
      41,
      pg ? new Date() : '2026-12-01 10:00:00.000',
    ]);

    await ds.runMigrations();
    const rows = await ds.query(`SELECT consumer, types, "sinceSeq" FROM plugin_consumers`);
    expect(rows).toHaveLength(1);
    expect(rows[0].consumer).toBe('woocommerce');
    expect(Number(rows[0].sinceSeq)).toBe(41);
    expect(JSON.parse(rows[0].types).sort()).toEqual([...CHECKOUT_EVENT_TYPES].sort());
    expect(await ds.query(`SELECT 1 FROM ${pg ? 'information_schema.tables WHERE table_name' : 'sqlite_master WHERE name'} = 'plugin_cursors'`)).toHaveLength(
      0,
    );

    await undoThrough(ds, 'PluginConsumers1732620000001');
    const cursors = await ds.query(`SELECT consumer, "lastSeq" FROM plugin_cursors`);
    expect(cursors.map((c: { consumer: string; lastSeq: number | string }) => [c.consumer, Number(c.lastSeq)])).toEqual([['woocommerce', 41]]);
    await ds.runMigrations();
  });
});

describe(`plugin_cursors → plugin_consumers upgrade with a cursor behind the webhook fan-out on ${TEST_DB}`, () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions({ ...db.config, migrationsRun: false, logging: false, sqliteSynchronous: 'full' } as DatabaseConfig));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  // The old cursor moved on its own timer, after webhooks had already fanned the same events out;
  // the new fan-out only serves undispatched events, so the events between the two must be queued
  // for the plugin by the migration or nobody ever delivers them.
  it('queues for the plugin the events after its cursor that webhooks had already dispatched', async () => {
    await ds.runMigrations();
    await undoThrough(ds, 'PluginConsumers1732620000001');
    const pg = ds.options.type === 'postgres';
    const p = (n: number) => Array.from({ length: n }, (_, i) => (pg ? `$${i + 1}` : '?')).join(', ');
    const at = pg ? new Date() : '2026-12-01 10:00:00.000';
    for (const [seq, dispatched] of [
      [40, true],
      [41, true],
      [42, true],
      [43, true],
      [44, false],
    ] as const) {
      await ds.query(`INSERT INTO checkout_events (seq, id, "storeId", "checkoutId", type, payload, "createdAt", "dispatchedAt") VALUES (${p(8)})`, [
        seq,
        `ev_${seq}`,
        'st',
        'co',
        'InvoiceSettled',
        '{}',
        at,
        dispatched ? at : null,
      ]);
    }
    await ds.query(`INSERT INTO plugin_cursors (consumer, "lastSeq", "updatedAt") VALUES (${p(3)})`, ['woocommerce', 41, at]);
    await ds.query(
      `INSERT INTO plugin_deliveries (consumer, "eventSeq", "eventId", status, attempts, "nextAttemptAt", "createdAt", "updatedAt") VALUES (${p(8)})`,
      ['woocommerce', 41, 'ev_41', 'done', 1, at, at, at],
    );

    await ds.runMigrations();
    const deliveries = await ds.query(`SELECT "eventSeq", "eventId", status FROM plugin_deliveries WHERE consumer = 'woocommerce' ORDER BY "eventSeq"`);
    // 41 was delivered before the upgrade; 42 and 43 are owed; 44 is left to the fan-out (still undispatched).
    expect(deliveries.map((d: { eventSeq: number | string; status: string }) => [Number(d.eventSeq), d.status])).toEqual([
      [41, 'done'],
      [42, 'pending'],
      [43, 'pending'],
    ]);
  });
});
