// insertRow / insertTogether against the suite's database (TEST_DB: SQLite or PostgreSQL).
import { DataSource, QueryFailedError } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Checkout } from '../../src/checkout/checkout.entity';
import { CheckoutEvent } from '../../src/checkout/checkout-event.entity';
import { AdditionalStatus, CheckoutEventType, CheckoutStatus } from '../../src/checkout/checkout-status';
import { DatabaseConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { insertRow, insertTogether } from '../../src/database/fast-insert';
import { Store } from '../../src/stores/store.entity';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/test-db';

function checkout(id: string, paymentHash: string): Checkout {
  const at = new Date('2026-11-23T10:11:12.345Z');
  return Object.assign(new Checkout(), {
    id,
    storeId: 'store1',
    status: CheckoutStatus.New,
    additionalStatus: AdditionalStatus.None,
    amountSats: 2_100_000_000_000_000,
    amount: '21000000',
    currency: 'BTC',
    rate: '100000000',
    rateBtc: null,
    rateSources: null,
    rateAt: null,
    rateSpreadPercent: null,
    orderId: 'order-1',
    customerId: null,
    description: 'Ünïcode ⚡ "quoted" \'single\'',
    redirectUrl: null,
    metadata: { nested: { list: [1, 'two', null] } },
    idempotencyKey: null,
    idempotencyFingerprint: null,
    bolt11: 'lnbcrt1...',
    paymentHash,
    nodeName: 'lnd-1',
    nodePubkey: '02'.padEnd(66, 'a'),
    expiresAt: new Date('2026-11-23T10:26:12.345Z'),
    settledAt: null,
    amountPaidSats: null,
    invoiceCancelPending: false,
    archived: false,
    createdAt: at,
    updatedAt: at,
  });
}

const event = (id: string, checkoutId: string) =>
  Object.assign(new CheckoutEvent(), { id, storeId: 'store1', checkoutId, type: CheckoutEventType.InvoiceCreated, payload: { n: id }, dispatchedAt: null });

describe(`insertRow and insertTogether on ${TEST_DB}`, () => {
  let db: TestDatabase;
  let ds: DataSource;
  const together = (rows: Parameters<typeof insertTogether>[1]) => ds.transaction((m) => insertTogether(m, rows));

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions({ ...db.config, migrationsRun: true, logging: false, sqliteSynchronous: 'full' } as DatabaseConfig));
    await ds.initialize();
    await ds.createQueryBuilder().insert().into(Store).values({ id: 'store1', name: 'Shop' }).execute();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('stores a row exactly as TypeORM’s own INSERT does, and reads back the same entity', async () => {
    await ds
      .createQueryBuilder()
      .insert()
      .into(Checkout)
      .values(checkout('viaOrm', 'a'.repeat(64)) as QueryDeepPartialEntity<Checkout>)
      .updateEntity(false)
      .execute();
    await ds.transaction((m) => insertRow(m, Checkout, checkout('viaFast', 'b'.repeat(64))));
    const raw = await ds.query(`SELECT * FROM checkouts WHERE id IN ('viaOrm', 'viaFast') ORDER BY id`);
    const [fast, orm] = raw.map(({ id: _id, paymentHash: _hash, ...rest }: Record<string, unknown>) => rest);
    expect(fast).toEqual(orm);
    const read = await ds.getRepository(Checkout).findOneByOrFail({ id: 'viaFast' });
    expect(read).toEqual(checkout('viaFast', 'b'.repeat(64)));
  });

  it('inserts a checkout and its event together; undefined columns get their defaults', async () => {
    await together([
      [Checkout, checkout('pair1', 'c'.repeat(64))],
      [CheckoutEvent, event('evt_pair1', 'pair1')],
    ]);
    await together([
      [Checkout, checkout('pair2', 'd'.repeat(64))],
      [CheckoutEvent, event('evt_pair2', 'pair2')],
    ]);
    const events = await ds.getRepository(CheckoutEvent).find({ where: [{ id: 'evt_pair1' }, { id: 'evt_pair2' }], order: { seq: 'ASC' } });
    expect(events.map((e) => [e.id, e.checkoutId, e.payload])).toEqual([
      ['evt_pair1', 'pair1', { n: 'evt_pair1' }],
      ['evt_pair2', 'pair2', { n: 'evt_pair2' }],
    ]);
    expect(events[1].seq).toBeGreaterThan(events[0].seq);
    expect(Math.abs(events[0].createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await ds.getRepository(Checkout).countBy({ id: 'pair2' })).toBe(1);
  });

  it('inserts nothing when one of the rows fails', async () => {
    // The event id is taken: the checkout before it must not stay behind.
    await expect(
      together([
        [Checkout, checkout('orphan', 'e'.repeat(64))],
        [CheckoutEvent, event('evt_pair1', 'orphan')],
      ]),
    ).rejects.toBeInstanceOf(QueryFailedError);
    // And the other way round: a duplicate checkout leaves no event.
    await expect(
      together([
        [Checkout, checkout('pair1', 'f'.repeat(64))],
        [CheckoutEvent, event('evt_orphan', 'pair1')],
      ]),
    ).rejects.toBeInstanceOf(QueryFailedError);
    expect(await ds.getRepository(Checkout).countBy({ id: 'orphan' })).toBe(0);
    expect(await ds.getRepository(CheckoutEvent).countBy({ id: 'evt_orphan' })).toBe(0);
  });

  it('runs inside the transaction it is given: rolled back with it, and seeing what it wrote before', async () => {
    await expect(
      ds.transaction(async (m) => {
        await insertTogether(m, [
          [Checkout, checkout('inTx', '1'.repeat(64))],
          [CheckoutEvent, event('evt_inTx', 'inTx')],
        ]);
        // Same transaction: its own rows are visible to it before the commit.
        expect(await m.countBy(Checkout, { id: 'inTx' })).toBe(1);
        throw new Error('the rest of the transaction failed');
      }),
    ).rejects.toThrow('the rest of the transaction failed');
    expect(await ds.getRepository(Checkout).countBy({ id: 'inTx' })).toBe(0);
    expect(await ds.getRepository(CheckoutEvent).countBy({ id: 'evt_inTx' })).toBe(0);
  });
});
