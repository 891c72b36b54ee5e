import { firstValueFrom } from 'rxjs';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { Instance } from '../../src/instances/instance.entity';
import { InstanceRegistry } from '../../src/instances/instance-registry';
import { PluginDelivery } from '../../src/plugins/plugin-delivery.entity';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from '../../src/webhooks/webhook-endpoint.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from './webhooks-receiver';

jest.setTimeout(120_000);

const HOUR = 3_600_000;

/**
 * The reaper on its own, in one app on either database: leases named after an instance whose
 * heartbeat is stale are released (webhook and plugin deliveries), those of an instance that keeps
 * beating are not. The endpoints are disabled, so nothing but the reaper touches the rows.
 */
describe('instance heartbeat and reaper', () => {
  let t: TestApp;
  let uow: UnitOfWork;
  let registry: InstanceRegistry;
  let beating: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    t = await startTestApp({ config: { instances: { heartbeatMs: 200, deadAfterMs: 1000 } } });
    uow = t.app.get(UnitOfWork);
    registry = t.app.get(InstanceRegistry);
  });
  afterAll(async () => {
    clearInterval(beating);
    await t?.close();
  });

  const instance = (id: string) => uow.dataSource.getRepository(Instance).findOneOrFail({ where: { id } });
  const delivery = (id: string) => uow.dataSource.getRepository(WebhookDelivery).findOneOrFail({ where: { id } });
  const pluginDelivery = (eventId: string) => uow.dataSource.getRepository(PluginDelivery).findOneOrFail({ where: { eventId } });

  it("releases a dead instance's webhook and plugin leases within a few heartbeats, and leaves a live sibling's alone", async () => {
    const { storeId } = await t.createStore('Reaper shop');
    const now = Date.now();
    const leasedUntil = new Date(now + HOUR);
    const reclaimed = firstValueFrom(registry.reclaimed$);
    await uow.run(async (m) => {
      for (const id of ['wh_dead', 'wh_live']) {
        await m.insert(WebhookEndpoint, {
          id,
          storeId,
          url: 'http://127.0.0.1:1/',
          description: null,
          events: [],
          enabled: false,
          format: 'standard',
          secret: 'whsec_x',
          previousSecret: null,
          previousSecretExpiresAt: null,
          disabledReason: null,
          updatedAt: new Date(),
        });
      }
      const row = (id: string, endpointId: string, owner: string): Partial<WebhookDelivery> => ({
        id,
        endpointId,
        storeId,
        eventId: `evt_${id}`,
        type: 'InvoiceCreated',
        checkoutId: 'c',
        body: '{}',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: new Date(now),
        lockedUntil: leasedUntil,
        leaseOwner: owner,
        lastStatusCode: null,
        lastError: null,
        isRedelivery: false,
        originalDeliveryId: null,
        completedAt: null,
      });
      await m.insert(WebhookDelivery, [row('msg_dead', 'wh_dead', 'inst_dead'), row('msg_live', 'wh_live', 'inst_live')]);
      const plugin = (eventId: string, seq: number, owner: string): Partial<PluginDelivery> => ({
        consumer: 'reaper-test',
        eventSeq: seq,
        eventId,
        status: 'pending',
        attempts: 1,
        nextAttemptAt: new Date(now),
        leaseUntil: leasedUntil,
        leaseOwner: owner,
        lastError: null,
        createdAt: new Date(now),
        updatedAt: new Date(now),
      });
      await m.insert(PluginDelivery, [plugin('evt_p_dead', 1, 'inst_dead'), plugin('evt_p_live', 2, 'inst_live')]);
      await m.insert(Instance, [
        { id: 'inst_dead', host: 'elsewhere', pid: 1, startedAt: new Date(now - HOUR), heartbeatAt: new Date(now - 60_000), reapedAt: null },
        { id: 'inst_live', host: 'elsewhere', pid: 2, startedAt: new Date(now - HOUR), heartbeatAt: new Date(now), reapedAt: null },
      ]);
    });
    // The live sibling keeps beating, as a running replica does.
    beating = setInterval(() => void uow.run((m) => m.update(Instance, { id: 'inst_live' }, { heartbeatAt: new Date() })).catch(() => undefined), 200);

    await waitFor(async () => (await instance('inst_dead')).reapedAt !== null, 10_000, 'the dead instance reaped');
    expect(await reclaimed).toMatchObject({ instances: ['inst_dead'], consumers: ['reaper-test'] });
    // Several more beats: a reaper that took everything would have taken the live one's by now.
    await new Promise((r) => setTimeout(r, 2000));

    expect(await pluginDelivery('evt_p_dead')).toMatchObject({ leaseOwner: null, leaseUntil: null, status: 'pending' });
    expect(await pluginDelivery('evt_p_live')).toMatchObject({ leaseOwner: 'inst_live', leaseUntil: leasedUntil });
    if (uow.isSqlite) {
      // SQLite keeps webhook leases in memory (one process per file): a dead predecessor's heads only get a new job generation.
      expect(await delivery('msg_dead')).toMatchObject({ leaseGeneration: 1 });
    } else {
      expect(await delivery('msg_dead')).toMatchObject({ leaseOwner: null, lockedUntil: null, leaseGeneration: 1 });
      expect(await delivery('msg_live')).toMatchObject({ leaseOwner: 'inst_live', lockedUntil: leasedUntil, leaseGeneration: 0 });
    }
    expect(await instance('inst_live')).toMatchObject({ reapedAt: null });
    const own = await instance(registry.id);
    expect(own.reapedAt).toBeNull();
    expect(Date.now() - own.heartbeatAt.getTime()).toBeLessThan(5000);
  });

  it('a graceful shutdown releases what this instance still holds and marks it gone', async () => {
    const id = registry.id;
    clearInterval(beating);
    // An attempt that outlived the queue's drain (on PostgreSQL the lease is in the database).
    await uow.run((m) => m.update(WebhookDelivery, { id: 'msg_live' }, { leaseOwner: id, lockedUntil: new Date(Date.now() + HOUR) }));
    await t.app.close();
    const { DataSource } = await import('typeorm');
    const { dataSourceOptions } = await import('../../src/database/data-source-options');
    const ds = await new DataSource({ ...dataSourceOptions(t.config.database), migrationsRun: false }).initialize();
    try {
      expect((await ds.getRepository(Instance).findOneOrFail({ where: { id } })).reapedAt).not.toBeNull();
      if (!uow.isSqlite)
        expect(await ds.getRepository(WebhookDelivery).findOneOrFail({ where: { id: 'msg_live' } })).toMatchObject({ leaseOwner: null, lockedUntil: null });
    } finally {
      await ds.destroy();
    }
    await t.db.drop();
    t = undefined as unknown as TestApp;
  });
});
