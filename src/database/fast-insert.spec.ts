import { DataSource } from 'typeorm';
import { Checkout } from '../checkout/checkout.entity';
import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { AdditionalStatus, CheckoutEventType, CheckoutStatus } from '../checkout/checkout-status';
import { Store } from '../stores/store.entity';
import { ENTITIES, MIGRATIONS } from './entities';
import { insertRow } from './fast-insert';
import { nodeSqliteDriver } from './node-sqlite-driver';

function checkout(id: string, paymentHash: string): Partial<Checkout> {
  const at = new Date('2026-11-23T10:11:12.345Z');
  return {
    id,
    storeId: 'store1',
    status: CheckoutStatus.New,
    additionalStatus: AdditionalStatus.None,
    amountSats: 2_100_000_000_000_000,
    amount: '21000000',
    currency: 'BTC',
    rate: '100000000',
    orderId: 'order-1',
    customerId: null,
    description: 'Ünïcode ⚡ "quoted"',
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
    createdAt: at,
    updatedAt: at,
  };
}

describe('insertRow', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = new DataSource({ type: 'sqlite', database: ':memory:', driver: nodeSqliteDriver(), entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: true });
    await ds.initialize();
    await ds.createQueryBuilder().insert().into(Store).values({ id: 'store1', name: 'Shop' }).execute();
  });
  afterAll(() => ds.destroy());

  it('stores a row exactly as TypeORM’s own INSERT does, and reads back the same entity', async () => {
    await ds.createQueryBuilder().insert().into(Checkout).values(checkout('viaOrm', 'a'.repeat(64))).updateEntity(false).execute();
    await ds.transaction((m) => insertRow(m, Checkout, checkout('viaFast', 'b'.repeat(64))));
    const raw = await ds.query('SELECT * FROM checkouts ORDER BY id');
    const [fast, orm] = raw.map(({ id: _id, paymentHash: _hash, ...rest }: Record<string, unknown>) => rest);
    expect(fast).toEqual(orm);
    const read = await ds.getRepository(Checkout).findOneByOrFail({ id: 'viaFast' });
    expect(read).toMatchObject({ ...checkout('viaFast', 'b'.repeat(64)) });
  });

  it('leaves undefined columns to their defaults (an outbox row gets its seq and createdAt)', async () => {
    for (const id of ['evt_1', 'evt_2']) {
      await insertRow(ds.manager, CheckoutEvent, { id, storeId: 'store1', checkoutId: 'viaFast', type: CheckoutEventType.InvoiceCreated, payload: { n: id }, dispatchedAt: null });
    }
    const events = await ds.getRepository(CheckoutEvent).find({ order: { seq: 'ASC' } });
    expect(events.map((e) => [e.id, e.payload])).toEqual([
      ['evt_1', { n: 'evt_1' }],
      ['evt_2', { n: 'evt_2' }],
    ]);
    expect(events[1].seq).toBeGreaterThan(events[0].seq);
    expect(events[0].createdAt).toBeInstanceOf(Date);
    expect(Math.abs(events[0].createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('rejects a duplicate like any INSERT', async () => {
    await expect(ds.transaction((m) => insertRow(m, Checkout, checkout('viaFast', 'c'.repeat(64))))).rejects.toThrow(/UNIQUE constraint failed/);
  });
});
