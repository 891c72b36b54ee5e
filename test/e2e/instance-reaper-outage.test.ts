import { UnitOfWork } from '../../src/database/unit-of-work';
import { Instance } from '../../src/instances/instance.entity';
import { InstanceRegistry } from '../../src/instances/instance-registry';
import { PluginDelivery } from '../../src/plugins/plugin-delivery.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from './webhooks-receiver';

jest.setTimeout(120_000);

const HOUR = 3_600_000;

/**
 * The database was unreachable (a PostgreSQL restart or failover, a wedged SQLite write path) for
 * longer than instances.deadAfterMs: no process could write its heartbeat, so when it comes back
 * every other process's heartbeat looks stale. A process whose own beats had a gap must not take
 * that for death, or live replicas reap each other and send every delivery in flight again.
 */
describe('heartbeats after an outage every process shared', () => {
  let t: TestApp;
  let beating: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    t = await startTestApp({ config: { instances: { heartbeatMs: 500, deadAfterMs: 3000 } } });
  });
  afterAll(async () => {
    clearInterval(beating);
    await t?.close();
  });

  it("leaves a live sibling's leases alone, and still reaps a sibling that stays silent", async () => {
    const uow = t.app.get(UnitOfWork);
    const registry = t.app.get(InstanceRegistry);
    const instances = uow.dataSource.getRepository(Instance);
    const lastBeat = new Date(Date.now() - 5000);
    const leasedUntil = new Date(Date.now() + HOUR);
    // Both this process and its siblings last beat 5 s ago: the outage.
    await uow.run(async (m) => {
      await m.update(Instance, { id: registry.id }, { heartbeatAt: lastBeat });
      await m.insert(Instance, [
        { id: 'inst_peer', host: 'elsewhere', pid: 2, startedAt: lastBeat, heartbeatAt: lastBeat, reapedAt: null },
        { id: 'inst_gone', host: 'elsewhere', pid: 3, startedAt: lastBeat, heartbeatAt: lastBeat, reapedAt: null },
      ]);
      const plugin = (eventId: string, seq: number, owner: string): Partial<PluginDelivery> => ({
        consumer: 'outage-test',
        eventSeq: seq,
        eventId,
        status: 'pending',
        attempts: 1,
        nextAttemptAt: lastBeat,
        leaseUntil: leasedUntil,
        leaseOwner: owner,
        lastError: null,
        createdAt: lastBeat,
        updatedAt: lastBeat,
      });
      await m.insert(PluginDelivery, [plugin('evt_peer', 1, 'inst_peer'), plugin('evt_gone', 2, 'inst_gone')]);
    });
    // This process's first beat after the outage; the live sibling beats right after it, as it comes back too.
    await waitFor(
      async () => (await instances.findOneOrFail({ where: { id: registry.id } })).heartbeatAt.getTime() > lastBeat.getTime() + 1000,
      10_000,
      'this process beat again',
    );
    const peerBeat = () => uow.run((m) => m.update(Instance, { id: 'inst_peer' }, { heartbeatAt: uow.isSqlite ? new Date() : () => 'now()' }));
    await peerBeat();
    beating = setInterval(() => void peerBeat().catch(() => undefined), 200);

    await waitFor(async () => (await instances.findOneOrFail({ where: { id: 'inst_gone' } })).reapedAt !== null, 10_000, 'the silent sibling reaped');
    expect(await instances.findOneOrFail({ where: { id: 'inst_peer' } })).toMatchObject({ reapedAt: null });
    const rows = uow.dataSource.getRepository(PluginDelivery);
    expect(await rows.findOneOrFail({ where: { eventId: 'evt_peer' } })).toMatchObject({ leaseOwner: 'inst_peer', leaseUntil: leasedUntil });
    expect(await rows.findOneOrFail({ where: { eventId: 'evt_gone' } })).toMatchObject({ leaseOwner: null, leaseUntil: null });
  });
});

describe('heartbeat through a graceful shutdown', () => {
  // Holds today because Nest calls PluginEvents' beforeApplicationShutdown before InstanceRegistry's (module order): a guard.
  it('keeps beating while the last plugin handler finishes (no sibling takes it for dead and runs it again), then marks the row gone', async () => {
    const t = await startTestApp({ config: { instances: { heartbeatMs: 200, deadAfterMs: 1000 }, webhooks: { pollIntervalMs: 200 } } });
    const { CheckoutEventType } = await import('../../src/checkout/checkout-status');
    const { PluginEvents } = await import('../../src/plugins/plugin-events.service');
    const uow = t.app.get(UnitOfWork);
    const id = t.app.get(InstanceRegistry).id;
    const events = t.app.get(PluginEvents);
    events.pollMs = 200;
    let entered!: () => void;
    const handling = new Promise<void>((r) => (entered = r));
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    events.subscribe({
      consumer: 'slow-at-shutdown',
      types: [CheckoutEventType.InvoiceCreated],
      handle: async () => {
        entered();
        await finished;
      },
    });
    await events.wake();
    const { apiKey } = await t.createStore('Slow plugin');
    await t.http
      .post('/api/v1/checkouts')
      .set({ Authorization: `token ${apiKey}` })
      .send({ amount: 100 })
      .expect(201);
    await handling;

    const closeStartedAt = Date.now();
    const closing = t.app.close();
    // Longer than deadAfterMs: a heartbeat stopped at the start of the shutdown would be stale by now.
    await new Promise((r) => setTimeout(r, 2500));
    const row = await uow.dataSource.getRepository(Instance).findOneOrFail({ where: { id } });
    expect(row.heartbeatAt.getTime()).toBeGreaterThan(closeStartedAt + 1000);
    expect(row.reapedAt).toBeNull();
    finish();
    await closing;

    const { DataSource } = await import('typeorm');
    const { dataSourceOptions } = await import('../../src/database/data-source-options');
    const ds = await new DataSource({ ...dataSourceOptions(t.config.database), migrationsRun: false }).initialize();
    try {
      expect((await ds.getRepository(Instance).findOneOrFail({ where: { id } })).reapedAt).not.toBeNull();
      expect(await ds.getRepository(PluginDelivery).findOneOrFail({ where: { consumer: 'slow-at-shutdown' } })).toMatchObject({
        status: 'done',
        leaseOwner: null,
      });
    } finally {
      await ds.destroy();
      await t.db.drop();
    }
  });
});
