import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { PluginDelivery } from '../../src/plugins/plugin-delivery.entity';
import { PluginEvents } from '../../src/plugins/plugin-events.service';
import { AttemptOutcome, DeliveryWorker } from '../../src/webhooks/delivery-worker';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { createPostgresDatabase, TestDatabase } from '../support/test-db';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor, WebhookReceiver } from './webhooks-receiver';

/**
 * A process frozen (SIGSTOP, a stalled VM) longer than instances.deadAfterMs is taken for dead and
 * its leases are taken back by another instance, which sends the delivery again. When the frozen
 * process resumes, its attempt finishes late: that late outcome must not overwrite what the new
 * holder owns (its lease, its result), nor put a finished delivery back to pending. The takeover
 * is written here as the reaper and the other instance would write it, while this app's attempt
 * is held open, so the late outcome arrives at a known moment.
 */
jest.setTimeout(120_000);

const HOUR = 3_600_000;

describe('a webhook attempt that outlived its lease on PostgreSQL (whatever TEST_DB says: SQLite leases webhooks in memory, one process)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    db = await createPostgresDatabase('lc_stale_hook');
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ db, config: { webhooks: { pollIntervalMs: 200, timeoutMs: 30_000, backoffBaseMs: 50, backoffMaxMs: 200 } } });
  });
  afterAll(async () => {
    await receiver?.stop();
    await t?.close();
    await db?.drop();
  });

  it("is not recorded over the lease of the instance that took the delivery back, and the endpoint's next delivery waits for that one", async () => {
    const { apiKey } = await t.createStore('Frozen sender');
    const auth = { Authorization: `token ${apiKey}` };
    const url = receiver.route('/frozen', (n) => (n === 1 ? 'hang' : 200));
    const hook = (
      await t.http
        .post('/api/v1/webhooks')
        .set(auth)
        .send({ url, events: ['InvoiceCreated'] })
        .expect(201)
    ).body;
    const worker = t.app.get(DeliveryWorker);
    const attempts = jest.spyOn(worker, 'attempt');
    const uow = t.app.get(UnitOfWork);
    const rows = uow.dataSource.getRepository(WebhookDelivery);

    const first = (await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 100 }).expect(201)).body;
    await waitFor(() => receiver.on('/frozen').length === 1, 15_000, 'the first delivery sent (and left hanging)');
    const [d1] = await rows.find({ where: { endpointId: hook.id } });
    const call = attempts.mock.calls.findIndex(([id]) => id === d1.id);
    const inFlight = attempts.mock.results[call].value as Promise<AttemptOutcome>;

    // This process was taken for dead: the reaper released its lease (new generation), and the
    // other instance leased the delivery again and is sending it now.
    await uow.run((m) => m.update(WebhookDelivery, { id: d1.id }, { leaseOwner: 'inst_other', lockedUntil: new Date(Date.now() + HOUR), leaseGeneration: 1 }));
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 200 }).expect(201);
    // The frozen process resumes: its request gets its answer now.
    expect(receiver.release('/frozen', 200)).toBe(1);

    expect((await inFlight).kind).toBe('skipped');
    expect(await rows.findOneOrFail({ where: { id: d1.id } })).toMatchObject({ status: 'pending', attempts: 0, leaseOwner: 'inst_other', leaseGeneration: 1 });
    // Per-endpoint order: nothing after the first event went out while the other instance holds it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.on('/frozen')).toHaveLength(1);
    expect(receiver.on('/frozen')[0].raw.toString()).toContain(first.id);
  });
});

describe('a plugin delivery whose handler outlived its lease (both databases)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ config: { webhooks: { pollIntervalMs: 200 } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('does not put a delivery the new holder finished back to pending (which would handle the event a third time)', async () => {
    const events = t.app.get(PluginEvents);
    events.pollMs = 200;
    events.retry = { baseMs: 50, maxMs: 100, maxAttempts: 25 };
    const uow = t.app.get(UnitOfWork);
    const rows = uow.dataSource.getRepository(PluginDelivery);
    let entered!: () => void;
    const handling = new Promise<void>((r) => (entered = r));
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const handled: number[] = [];
    events.subscribe({
      consumer: 'stale-holder',
      types: [CheckoutEventType.InvoiceCreated],
      handle: async (e) => {
        handled.push(e.attempt);
        if (e.attempt > 1) return;
        entered();
        await resumed;
        // The platform call made before the freeze timed out meanwhile.
        throw new Error('platform request timed out');
      },
    });
    await events.wake();
    const { apiKey } = await t.createStore('Frozen plugin');
    const checkout = (
      await t.http
        .post('/api/v1/checkouts')
        .set({ Authorization: `token ${apiKey}` })
        .send({ amount: 100 })
        .expect(201)
    ).body;
    await handling;
    const delivery = await rows.findOneOrFail({ where: { consumer: 'stale-holder' } });
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });

    // Taken back from this "dead" process, and handled by another instance, which finished it.
    await uow.run((m) =>
      m.update(
        PluginDelivery,
        { id: delivery.id },
        { status: 'done', leaseOwner: null, leaseUntil: null, attempts: 2, lastError: null, updatedAt: new Date() },
      ),
    );
    const pass = events.wake();
    resume();
    await pass;
    for (let i = 0; i < 5; i++) await events.wake();

    expect(await rows.findOneOrFail({ where: { id: delivery.id } })).toMatchObject({ status: 'done', attempts: 2, lastError: null });
    expect(handled).toEqual([1]);
    expect(checkout.id).toBeTruthy();
  });
});

describe('two jobs for one webhook delivery (a dead process left one in BullMQ, the reclaim added another)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ config: { webhooks: { pollIntervalMs: 200, timeoutMs: 30_000, backoffBaseMs: 60_000, backoffMaxMs: 60_000 } } });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it('the one that read the delivery before the other recorded its attempt does not send it again outside the backoff', async () => {
    const { apiKey } = await t.createStore('Two jobs');
    const auth = { Authorization: `token ${apiKey}` };
    const url = receiver.route('/twice', (n) => (n === 1 ? 'hang' : 200));
    const hook = (
      await t.http
        .post('/api/v1/webhooks')
        .set(auth)
        .send({ url, events: ['InvoiceCreated'] })
        .expect(201)
    ).body;
    const worker = t.app.get(DeliveryWorker);
    const attempts = jest.spyOn(worker, 'attempt');
    const rows = t.app.get(UnitOfWork).dataSource.getRepository(WebhookDelivery);

    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 100 }).expect(201);
    await waitFor(() => receiver.on('/twice').length === 1, 15_000, 'the first attempt sent (and left hanging)');
    const [d] = await rows.find({ where: { endpointId: hook.id } });
    const first = attempts.mock.results[attempts.mock.calls.findIndex(([id]) => id === d.id)].value as Promise<AttemptOutcome>;

    // The second job's attempt reads the delivery now, then is held up (a busy event loop) until the first has recorded.
    const endpoints = (worker as unknown as { endpoints: { findOne: (...a: unknown[]) => Promise<unknown> } }).endpoints;
    const findOne = endpoints.findOne.bind(endpoints);
    let reached!: () => void;
    const atEndpointRead = new Promise<void>((r) => (reached = r));
    let go!: () => void;
    const gate = new Promise<void>((r) => (go = r));
    const held = jest.spyOn(endpoints, 'findOne').mockImplementation(async (...args: unknown[]) => {
      reached();
      await gate;
      return findOne(...args);
    });
    const second = worker.attempt(d.id);
    await Promise.race([atEndpointRead, second]);

    expect(receiver.release('/twice', 500)).toBe(1);
    expect(await first).toMatchObject({ kind: 'retry' });
    go();
    expect(await second).toMatchObject({ kind: 'skipped' });
    held.mockRestore();

    // Only the one attempt: the retry is a minute away.
    expect(receiver.on('/twice')).toHaveLength(1);
    const row = await rows.findOneOrFail({ where: { id: d.id } });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
    await t.http.patch(`/api/v1/webhooks/${hook.id}`).set(auth).send({ enabled: false }).expect(200);
  });
});
