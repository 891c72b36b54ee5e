import { Client } from 'pg';
import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { PluginEvents } from '../../src/plugins/plugin-events.service';
import { eventually } from '../support/fake-platform-server';
import { createPostgresDatabase, TestDatabase } from '../support/test-db';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * PostgreSQL hands out outbox sequence numbers before commit, so an event can become visible long
 * after a later one. A plugin must still get it, once. Always on PostgreSQL (whatever TEST_DB says):
 * SQLite has one writer and cannot commit out of order.
 */
jest.setTimeout(180_000);

describe('plugin events on PostgreSQL: an event committed late is still delivered, exactly once', () => {
  let db: TestDatabase;
  let t: TestApp;
  let other: Client;

  beforeAll(async () => {
    db = await createPostgresDatabase('lc_late');
    t = await startTestApp({ db, config: { webhooks: { pollIntervalMs: 200 } } });
    other = new Client({ connectionString: (db.config as { url: string }).url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end().catch(() => undefined);
    await t?.close();
    await db?.drop();
  });

  it('delivers an event whose transaction commits 15 s after a later event', async () => {
    const events = t.app.get(PluginEvents);
    events.pollMs = 200;
    const seen: string[] = [];
    events.subscribe({ consumer: 'late-commit', types: [CheckoutEventType.InvoiceCreated], handle: async (e) => void seen.push(e.checkoutId) });
    await events.wake();
    const { apiKey, storeId } = await t.createStore();

    // A second connection takes a sequence number and holds its transaction open.
    await other.query('BEGIN');
    await other.query(`INSERT INTO checkout_events (id, "storeId", "checkoutId", type, payload, "createdAt") VALUES ($1, $2, $3, $4, $5, now())`, [
      'evt_late_commit_1',
      storeId,
      'late-checkout',
      CheckoutEventType.InvoiceCreated,
      JSON.stringify({ checkout: { id: 'late-checkout', orderId: null } }),
    ]);
    const later = await t.http
      .post('/api/v1/checkouts')
      .set({ Authorization: `token ${apiKey}` })
      .send({ amount: 100 })
      .expect(201);
    await eventually(() => seen.includes(later.body.id), 'the later event');

    // Longer than any grace period a cursor could give a hole; the loop keeps polling meanwhile.
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      await events.wake();
      await new Promise((r) => setTimeout(r, 500));
    }
    await other.query('COMMIT');

    await eventually(() => seen.includes('late-checkout'), 'the event committed late', 30_000);
    // A few more passes: nothing is delivered twice.
    for (let i = 0; i < 5; i++) {
      await events.wake();
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(seen.filter((id) => id === 'late-checkout')).toHaveLength(1);
    expect(seen.filter((id) => id === later.body.id)).toHaveLength(1);
    expect(await events.stats('late-commit')).toEqual({ pending: 0, done: 2, failed: 0 });
  });
});
