import { DataSource } from 'typeorm';
import { CheckoutEvent } from '../../src/checkout/checkout-event.entity';
import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { LightningService } from '../../src/lightning/lightning.service';
import { PermanentPluginError } from '../../src/plugins/plugin-errors';
import { PluginCheckoutEvent, PluginEvents } from '../../src/plugins/plugin-events.service';
import { eventually } from '../support/fake-platform-server';
import { startTestApp, TestApp } from '../support/test-app';
import { UnitOfWork } from '../../src/database/unit-of-work';

describe('PluginEvents: durable, at-least-once checkout events for plugins', () => {
  let t: TestApp;
  let events: PluginEvents;
  let auth: { Authorization: string };

  const createCheckout = async (orderId: string) => (await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 100, orderId }).expect(201)).body;

  beforeAll(async () => {
    t = await startTestApp();
    auth = { Authorization: `token ${(await t.createStore()).apiKey}` };
    events = t.app.get(PluginEvents);
    events.retry = { baseMs: 50, maxMs: 100, maxAttempts: 3 };
    events.pollMs = 100;
  });
  afterAll(() => t?.close());

  it('starts at the newest event, retries failures with backoff, gives up on permanent errors and after maxAttempts', async () => {
    const before = await createCheckout('before');
    const seen: { type: string; orderId: string | null; attempt: number }[] = [];
    const unsubscribe = events.subscribe({
      consumer: 'test-retries',
      types: [CheckoutEventType.InvoiceCreated, CheckoutEventType.InvoiceSettled],
      handle: async (e: PluginCheckoutEvent) => {
        seen.push({ type: e.type, orderId: e.checkout.orderId, attempt: e.attempt });
        if (e.checkout.orderId === 'flaky' && e.type === CheckoutEventType.InvoiceCreated && e.attempt === 1) throw new Error('platform hiccup');
        if (e.checkout.orderId === 'doomed') throw new PermanentPluginError('order deleted on the platform');
        if (e.checkout.orderId === 'broken') throw new Error('always down');
      },
    });
    await events.wake();
    const flaky = await createCheckout('flaky');
    await createCheckout('doomed');
    await createCheckout('broken');
    t.app.get(LightningService).simulatePayment(flaky.paymentHash);

    await eventually(() => seen.some((s) => s.orderId === 'flaky' && s.type === 'InvoiceSettled'), 'the settlement');
    await eventually(async () => (await events.stats('test-retries')).pending === 0, 'no pending deliveries');
    expect(seen.filter((s) => s.orderId === 'flaky' && s.type === 'InvoiceCreated').map((s) => s.attempt)).toEqual([1, 2]);
    expect(seen.filter((s) => s.orderId === 'doomed').map((s) => s.attempt)).toEqual([1]);
    expect(seen.filter((s) => s.orderId === 'broken').map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(seen.some((s) => s.orderId === before.orderId)).toBe(false);
    expect(await events.stats('test-retries')).toEqual({ pending: 0, done: 2, failed: 2 });
    unsubscribe();
  });

  it('waits for a hole in the outbox sequence (a transaction still committing), and skips it once it is clearly a rollback', async () => {
    const ds = t.app.get(DataSource);
    const seen: string[] = [];
    events.subscribe({ consumer: 'test-gaps', types: [CheckoutEventType.InvoiceCreated], handle: async (e) => void seen.push(e.checkoutId) });
    await events.wake();
    const { max } = (await ds.getRepository(CheckoutEvent).createQueryBuilder('e').select('MAX(e.seq)', 'max').getRawOne<{ max: number | string }>())!;
    const base = Number(max);
    // Raw SQL: TypeORM leaves a generated key out of an INSERT on PostgreSQL, and the seq is the point here.
    const pg = ds.options.type === 'postgres';
    const insert = (offset: number) =>
      t.app.get(UnitOfWork).run((m) =>
        m.query(
        `INSERT INTO checkout_events (seq, id, "storeId", "checkoutId", type, payload, "createdAt") VALUES (${pg ? '$1, $2, $3, $4, $5, $6, $7' : '?, ?, ?, ?, ?, ?, ?'})`,
        [base + offset, `evt_gap_${base + offset}`, 'gapstore', `gap-${offset}`, CheckoutEventType.InvoiceCreated, JSON.stringify({ checkout: { orderId: null } }), pg ? new Date() : new Date().toISOString().replace('T', ' ').replace('Z', '')],
        ),
      );

    events.gapGraceMs = 60_000;
    await insert(2);
    await events.wake();
    await events.wake();
    expect(seen).toEqual([]);
    await insert(1);
    await eventually(() => seen.length === 2, 'both events once the hole is filled');
    expect(seen).toEqual(['gap-1', 'gap-2']);

    await insert(4);
    await events.wake();
    expect(seen).toEqual(['gap-1', 'gap-2']);
    events.gapGraceMs = 200;
    await eventually(() => seen.includes('gap-4'), 'the event after a hole that never fills', 5000);
    if (pg) await ds.query(`SELECT setval(pg_get_serial_sequence('checkout_events', 'seq'), (SELECT MAX(seq) FROM checkout_events))`);
  });
});
