import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { EntityManager, In, IsNull } from 'typeorm';
import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { UnitOfWork } from '../database/unit-of-work';
import { PluginConsumer } from '../plugins/plugin-consumer.entity';
import { PluginDelivery } from '../plugins/plugin-delivery.entity';
import { newDeliveryId } from './ids';
import { btcpayEvents, BtcpayEvent, buildPayload } from './webhook-body';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

/** Serializes fan-out across replicas sharing one PostgreSQL (any constant unique to this use). */
const FANOUT_LOCK_KEY = 0x1c_0b_00_01;
const INSERT_CHUNK = 40;

/** Bounded INSERTs: a burst of events times many endpoints stays under the drivers' parameter limits. */
async function insertInChunks<T extends WebhookDelivery | PluginDelivery>(m: EntityManager, entity: new () => T, rows: Partial<T>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await m.insert(entity, rows.slice(i, i + INSERT_CHUNK) as never);
}

/**
 * Turns outbox events into deliveries: for each undispatched event, in seq order, one webhook
 * delivery per matching enabled endpoint and one plugin delivery per matching plugin consumer, and
 * the event marked dispatched, all in one transaction. A crash leaves either both or neither; on
 * PostgreSQL an advisory transaction lock makes replicas take turns, so each event fans out once
 * and every endpoint's deliveries are created in event order. An event committed late (PostgreSQL
 * takes sequence numbers before commit) is simply still undispatched when it becomes visible:
 * nothing here moves past it.
 */
@Injectable()
export class WebhookFanout {
  /** After each commit that created plugin deliveries: the consumers that got some. */
  readonly pluginDeliveries$ = new Subject<string[]>();

  constructor(private readonly uow: UnitOfWork) {}

  /** Fans out one batch; returns how many events it took and the endpoints and plugin consumers that got deliveries. */
  async dispatchBatch(batch = 200): Promise<{ events: number; endpointIds: string[]; consumers: string[] }> {
    const result = await this.uow.run(async (m) => {
      if (!this.uow.isSqlite) await m.query('SELECT pg_advisory_xact_lock($1)', [FANOUT_LOCK_KEY]);
      const events = await m.find(CheckoutEvent, { where: { dispatchedAt: IsNull() }, order: { seq: 'ASC' }, take: batch });
      if (events.length === 0) return { events: 0, endpointIds: [], consumers: [] };
      const rows = await this.deliveriesFor(m, events);
      await insertInChunks(m, WebhookDelivery, rows);
      const pluginRows = await this.pluginDeliveriesFor(m, events);
      await insertInChunks(m, PluginDelivery, pluginRows);
      await m
        .createQueryBuilder()
        .update(CheckoutEvent)
        .set({ dispatchedAt: new Date() })
        .where({ seq: In(events.map((e) => e.seq)), dispatchedAt: IsNull() })
        .execute();
      return {
        events: events.length,
        endpointIds: [...new Set(rows.map((r) => r.endpointId as string))],
        consumers: [...new Set(pluginRows.map((r) => r.consumer as string))],
      };
    });
    if (result.consumers.length > 0) this.pluginDeliveries$.next(result.consumers);
    return result;
  }

  /** Drains the outbox; returns the endpoints that got new deliveries. */
  async dispatchAll(batch = 200): Promise<string[]> {
    const touched = new Set<string>();
    for (;;) {
      const { events, endpointIds } = await this.dispatchBatch(batch);
      endpointIds.forEach((id) => touched.add(id));
      if (events < batch) return [...touched];
    }
  }

  /** One plugin delivery per event per consumer that takes its type and subscribed before it. */
  private async pluginDeliveriesFor(m: EntityManager, events: CheckoutEvent[]): Promise<Partial<PluginDelivery>[]> {
    const consumers = await m.find(PluginConsumer, { order: { consumer: 'ASC' } });
    const now = new Date();
    const rows: Partial<PluginDelivery>[] = [];
    for (const event of events) {
      for (const c of consumers) {
        if (event.seq <= c.sinceSeq || !c.types.includes(event.type)) continue;
        rows.push({
          consumer: c.consumer,
          eventSeq: event.seq,
          eventId: event.id,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          leaseUntil: null,
          lastError: null,
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    return rows;
  }

  private async deliveriesFor(m: EntityManager, events: CheckoutEvent[]): Promise<Partial<WebhookDelivery>[]> {
    const storeIds = [...new Set(events.map((e) => e.storeId))];
    const endpoints = await m.find(WebhookEndpoint, { where: { storeId: In(storeIds), enabled: true }, order: { createdAt: 'ASC', id: 'ASC' } });
    const now = new Date();
    const rows: Partial<WebhookDelivery>[] = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpoint.storeId !== event.storeId) continue;
        // A 'btcpay' endpoint gets the BTCPay events ours stands for (filtered by BTCPay's names), each its own delivery.
        const variants: (BtcpayEvent | undefined)[] =
          endpoint.format === 'btcpay' ? btcpayEvents(event.type, (event.payload.checkout ?? {}) as Record<string, unknown>) : [undefined];
        for (const variant of variants) {
          const type = variant?.type ?? event.type;
          if (endpoint.events.length > 0 && !endpoint.events.includes(type)) continue;
          const id = newDeliveryId();
          rows.push({
            id,
            endpointId: endpoint.id,
            storeId: event.storeId,
            eventId: event.id,
            type,
            checkoutId: event.checkoutId,
            body: JSON.stringify(buildPayload(id, endpoint, event, variant)),
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            lockedUntil: null,
            lastStatusCode: null,
            lastError: null,
            isRedelivery: false,
            originalDeliveryId: null,
            completedAt: null,
          });
        }
      }
    }
    return rows;
  }
}
