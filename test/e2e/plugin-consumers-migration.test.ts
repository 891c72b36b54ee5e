// Upgrading from the per-consumer cursor: the consumer is carried over, starting after its cursor,
// and the migration can be undone back to a cursor.
import { DataSource } from 'typeorm';
import { CHECKOUT_EVENT_TYPES } from '../../src/checkout/checkout-status';
import { DatabaseConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/test-db';

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
    // Back to the schema before this change: undo every migration down to and including PluginConsumers.
    for (;;) {
      const [last] = await ds.query(`SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`);
      expect(last.name).not.toBe('PluginTables1732360000000');
      await ds.undoLastMigration();
      if (last.name === 'PluginConsumers1732620000001') break;
    }
    const pg = ds.options.type === 'postgres';
    await ds.query(`INSERT INTO plugin_cursors (consumer, "lastSeq", "updatedAt") VALUES (${pg ? '$1, $2, $3' : '?, ?, ?'})`, ['woocommerce', 41, pg ? new Date() : '2026-12-01 10:00:00.000']);

    await ds.runMigrations();
    const rows = await ds.query(`SELECT consumer, types, "sinceSeq" FROM plugin_consumers`);
    expect(rows).toHaveLength(1);
    expect(rows[0].consumer).toBe('woocommerce');
    expect(Number(rows[0].sinceSeq)).toBe(41);
    expect(JSON.parse(rows[0].types).sort()).toEqual([...CHECKOUT_EVENT_TYPES].sort());
    expect(await ds.query(`SELECT 1 FROM ${pg ? 'information_schema.tables WHERE table_name' : "sqlite_master WHERE name"} = 'plugin_cursors'`)).toHaveLength(0);

    for (;;) {
      const [last] = await ds.query(`SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`);
      await ds.undoLastMigration();
      if (last.name === 'PluginConsumers1732620000001') break;
    }
    const cursors = await ds.query(`SELECT consumer, "lastSeq" FROM plugin_cursors`);
    expect(cursors.map((c: { consumer: string; lastSeq: number | string }) => [c.consumer, Number(c.lastSeq)])).toEqual([['woocommerce', 41]]);
    await ds.runMigrations();
  });
});
