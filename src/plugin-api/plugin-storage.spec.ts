import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { Checkout } from '../checkout/checkout.entity';
import { dataSourceOptions } from '../database/data-source-options';
import type { UnitOfWork } from '../database/unit-of-work';
import { PluginStorage } from './plugin-storage';

@Entity('sample_notes')
class SampleNote {
  @PrimaryColumn() id: string;
  @Column() text: string;
}

/*
 * PluginStorage.write hands a plugin an EntityManager: it must reach the plugin's own entities only,
 * not the core's tables by class, table name, a live record returned by a facade, raw SQL or a
 * query builder (external plugins are not covered by the boundary spec, which reads plugins/ only).
 */
describe('PluginStorage', () => {
  let ds: DataSource;
  let storage: PluginStorage;

  beforeAll(async () => {
    const base = dataSourceOptions({ type: 'sqlite', path: ':memory:', migrationsRun: false } as never, { entities: [SampleNote], migrations: [] });
    ds = await new DataSource({ ...base, synchronize: true, migrationsRun: false }).initialize();
    const uow = { run: <T>(work: (m: DataSource['manager']) => Promise<T>) => ds.transaction(work) } as unknown as UnitOfWork;
    storage = new PluginStorage(uow, [SampleNote]);
  });
  afterAll(() => ds?.destroy());

  it("writes and reads the plugin's own entities", async () => {
    await storage.write((m) => m.insert(SampleNote, { id: 'n1', text: 'hello' }));
    await storage.write((m) => m.getRepository(SampleNote).update({ id: 'n1' }, { text: 'changed' }));
    expect(await storage.write((m) => m.findOneBy(SampleNote, { id: 'n1' }))).toMatchObject({ text: 'changed' });
    expect(await storage.write((m) => m.save(Object.assign(new SampleNote(), { id: 'n2', text: 'saved' })))).toMatchObject({ id: 'n2' });
  });

  it("refuses the core's tables, by class, table name, live record, raw SQL or query builder", async () => {
    const live = Object.assign(new Checkout(), { id: 'c1' });
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['class', () => storage.write((m) => m.update(Checkout, { id: 'c1' }, { archived: true }))],
      ['table name', () => storage.write((m) => m.update('checkouts', { id: 'c1' }, { archived: true }))],
      ['repository', () => storage.write((m) => m.getRepository('checkouts').find())],
      ['live record', () => storage.write((m) => m.save(live))],
      ['raw SQL', () => storage.write((m) => m.query('UPDATE checkouts SET archived = 1'))],
      ['query builder', () => storage.write((m) => m.createQueryBuilder().update('checkouts').set({ archived: true }).execute())],
      ['the data source', () => storage.write(async (m) => m.connection.getRepository(Checkout).find())],
      ["an own repository's manager", () => storage.write((m) => m.getRepository(SampleNote).manager.update('checkouts', { id: 'c1' }, { archived: true }))],
      ["an own repository's raw SQL", () => storage.write((m) => m.getRepository(SampleNote).query('UPDATE checkouts SET archived = 1'))],
    ];
    const outcomes: Array<[string, string]> = [];
    // One at a time: SQLite has one connection.
    for (const [how, attempt] of attempts)
      outcomes.push([
        how,
        await attempt().then(
          () => 'written',
          (err: Error) => (/PluginStorage/.test(err.message) ? 'refused' : err.message),
        ),
      ]);
    expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(attempts.map(([how]) => [how, 'refused'])));
  });
});
