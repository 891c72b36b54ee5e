import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { waitFor, WebhookReceiver } from '../e2e/webhooks-receiver';
import { createTestDatabase, TestDatabase } from '../support/test-db';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(60_000);

/** Two replicas on one PostgreSQL, in-process delivery: each event fans out once, each delivery is sent once. */
describe('webhooks with two replicas on one database', () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  let a: TestApp | undefined;
  let b: TestApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new WebhookReceiver().start();
    const config = { webhooks: { backoffBaseMs: 50, backoffMaxMs: 200, pollIntervalMs: 100, timeoutMs: 2000 } };
    a = await startTestApp({ db, config });
    b = await startTestApp({ db, config });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await receiver?.stop();
    await db?.drop();
  });

  it('never fans an event out twice nor sends a delivery from both replicas, and keeps order', async () => {
    const { apiKey } = await a!.createStore();
    const auth = { Authorization: `token ${apiKey}` };
    for (const [path, behaviour] of [
      ['/steady', () => 200],
      ['/flaky', (n: number) => (n % 3 === 1 ? 500 : 200)],
    ] as const) {
      const res = await a!.http
        .post('/api/v1/webhooks')
        .set(auth)
        .send({ url: receiver.route(path, behaviour), events: ['InvoiceCreated'] })
        .expect(201);
      receiver.setSecret(path, res.body.secret);
    }
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const replica = i % 2 === 0 ? a! : b!;
      ids.push(
        (
          await replica.http
            .post('/api/v1/checkouts')
            .set(auth)
            .send({ amount: 100 + i })
            .expect(201)
        ).body.id,
      );
    }
    await waitFor(() => receiver.accepted('/steady').length >= 12 && receiver.accepted('/flaky').length >= 12, 30_000, 'all delivered');
    // Both replicas poll every 100 ms: give a double send the chance to show.
    await new Promise((r) => setTimeout(r, 1000));

    const steady = receiver.on('/steady');
    expect(steady.map((r) => r.body.checkoutId)).toEqual(ids);
    expect(new Set(steady.map((r) => r.headers['webhook-id'])).size).toBe(12);
    const flaky = receiver.accepted('/flaky');
    expect(flaky.map((r) => r.body.checkoutId)).toEqual(ids);
    expect(new Set(flaky.map((r) => r.headers['webhook-id'])).size).toBe(12);
    expect([...steady, ...flaky].every((r) => r.v1Valid && r.btcpayValid)).toBe(true);

    const deliveries = a!.app.get<Repository<WebhookDelivery>>(getRepositoryToken(WebhookDelivery));
    expect(await deliveries.count()).toBe(24);
    expect(await deliveries.count({ where: { status: 'succeeded' } })).toBe(24);
  });
});
