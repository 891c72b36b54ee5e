import { DataSource } from 'typeorm';
import { WebhookAttempt } from '../../src/webhooks/webhook-attempt.entity';
import { DeliveryRetention } from '../../src/webhooks/delivery-retention';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { TEST_DB } from '../support/test-db';
import { UnitOfWork } from '../../src/database/unit-of-work';

const DAY = 86_400_000;

describe(`webhook delivery retention on ${TEST_DB}`, () => {
  let t: TestApp;
  let ds: DataSource;
  let endpointId: string;
  let storeId: string;

  beforeAll(async () => {
    t = await startTestApp({ config: { webhooks: { retentionDays: 30 } } });
    ds = t.app.get(DataSource);
    const store = await t.createStore('Retention shop');
    storeId = store.storeId;
    // A receiver nobody listens on: nothing here is delivered for real; the rows are written below.
    const created = await t.http
      .post('/api/v1/webhooks')
      .set('Authorization', `token ${store.apiKey}`)
      .send({ url: 'http://127.0.0.1:9/hook', enabled: false })
      .expect(201);
    endpointId = created.body.id;
  });
  afterAll(() => t?.close());

  async function delivery(id: string, status: WebhookDelivery['status'], completedDaysAgo: number | null): Promise<void> {
    const now = Date.now();
    // Test rows, written like the app writes: through the unit of work.
    const uow = t.app.get(UnitOfWork);
    await uow.run((m) =>
      m.insert(WebhookDelivery, {
        id,
        endpointId,
        storeId,
        eventId: `evt_${id}`,
        type: 'InvoiceSettled',
        checkoutId: 'chk',
        body: '{}',
        status,
        attempts: 1,
        nextAttemptAt: new Date(now),
        lockedUntil: null,
        lastStatusCode: 200,
        lastError: null,
        isRedelivery: false,
        originalDeliveryId: null,
        completedAt: completedDaysAgo === null ? null : new Date(now - completedDaysAgo * DAY),
      }),
    );
    await uow.run((m) =>
      m.insert(WebhookAttempt, {
        deliveryId: id,
        attempt: 1,
        url: 'http://127.0.0.1:9/hook',
        requestHeaders: {},
        responseStatus: 200,
        responseBody: null,
        error: null,
        latencyMs: 3,
        attemptedAt: new Date(now),
      }),
    );
  }

  it('deletes finished deliveries past the retention, with their attempts, and keeps the rest', async () => {
    await delivery('dlv_old_ok', 'succeeded', 31);
    await delivery('dlv_old_failed', 'failed', 45);
    await delivery('dlv_recent_ok', 'succeeded', 29);
    await delivery('dlv_old_pending', 'pending', null);

    expect(await t.app.get(DeliveryRetention).prune()).toBe(2);

    const left = (await ds.getRepository(WebhookDelivery).find({ where: { endpointId }, order: { id: 'ASC' } })).map((d) => d.id);
    expect(left).toEqual(['dlv_old_pending', 'dlv_recent_ok']);
    const attempts = (await ds.getRepository(WebhookAttempt).find({ order: { deliveryId: 'ASC' } })).map((a) => a.deliveryId);
    expect(attempts).toEqual(['dlv_old_pending', 'dlv_recent_ok']);
    // Nothing more to do: a second pass deletes nothing.
    expect(await t.app.get(DeliveryRetention).prune()).toBe(0);
  });

  it('works through more than one batch', async () => {
    for (let i = 0; i < 520; i++) await delivery(`dlv_bulk_${String(i).padStart(3, '0')}`, 'succeeded', 40);
    expect(await t.app.get(DeliveryRetention).prune()).toBe(520);
    expect(await ds.getRepository(WebhookDelivery).count({ where: { endpointId } })).toBe(2);
  });
});
