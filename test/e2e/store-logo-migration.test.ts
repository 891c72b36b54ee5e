// Upgrading a database that already has stores (and their keys): the logo column is added without
// touching them (SQLite rebuilds the table, under ON DELETE CASCADE keys), and can be undone.
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/test-db';

const MIGRATION = 'StoreLogo1732660000001';

describe(`store logo migration on a database with stores, on ${TEST_DB}`, () => {
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

  /** Undoes migrations, newest first, until `name` is undone. */
  async function undoThrough(name: string): Promise<void> {
    for (;;) {
      const [last] = await ds.query(`SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`);
      await ds.undoLastMigration();
      if (last.name === name) return;
    }
  }

  const counts = async () => ({
    stores: Number((await ds.query(`SELECT COUNT(*) AS n FROM stores`))[0].n),
    keys: Number((await ds.query(`SELECT COUNT(*) AS n FROM api_keys`))[0].n),
  });

  it('keeps the stores and their keys, with no logo, and back', async () => {
    await ds.runMigrations();
    await undoThrough(MIGRATION);
    const pg = ds.options.type === 'postgres';
    const p = (n: number) => (pg ? `$${n}` : '?');
    await ds.query(`INSERT INTO stores (id, name, website, "spreadPercent") VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`, [
      's1',
      'Old shop',
      'https://shop.example',
      '1.5',
    ]);
    await ds.query(
      `INSERT INTO api_keys (id, "storeId", "keyHash", prefix, label, permissions) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`,
      ['k1', 's1', 'h'.repeat(64), 'lc_abc', 'default', '[]'],
    );
    expect(await counts()).toEqual({ stores: 1, keys: 1 });

    await ds.runMigrations();
    expect(await counts()).toEqual({ stores: 1, keys: 1 });
    expect(await ds.query(`SELECT name, "spreadPercent", "logoUrl" FROM stores`)).toEqual([{ name: 'Old shop', spreadPercent: '1.5', logoUrl: null }]);
    await ds.query(`UPDATE stores SET "logoUrl" = ${p(1)}`, [`https://cdn.example/${'x'.repeat(1970)}`]);

    await undoThrough(MIGRATION);
    expect(await counts()).toEqual({ stores: 1, keys: 1 });
    await ds.runMigrations();
    expect(await counts()).toEqual({ stores: 1, keys: 1 });
  });
});
