import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { In, IsNull, LessThan, LessThanOrEqual, MoreThan, Or } from 'typeorm';
import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { CheckoutEventsBus } from '../checkout/checkout-events.bus';
import { CheckoutEventType } from '../checkout/checkout-status';
import type { CheckoutView } from '../checkout/checkout.view';
import { UnitOfWork } from '../database/unit-of-work';
import { PluginCursor } from './plugin-cursor.entity';
import { PluginDelivery, PluginDeliveryStatus } from './plugin-delivery.entity';
import { PermanentPluginError, RetryablePluginError } from './plugin-errors';

/** A checkout event as a plugin sees it: the outbox row plus the checkout as it was when the event happened. */
export interface PluginCheckoutEvent {
  seq: number;
  id: string;
  type: CheckoutEventType;
  storeId: string;
  checkoutId: string;
  createdAt: Date;
  checkout: CheckoutView;
  /** 1 on the first try; handlers run at least once, so they must be idempotent. */
  attempt: number;
}

export interface CheckoutEventSubscription {
  /** Stable name the cursor and deliveries are kept under (usually the plugin name). */
  consumer: string;
  types: readonly CheckoutEventType[];
  handle(event: PluginCheckoutEvent): Promise<void>;
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

class CursorMoved extends Error {}

const BATCH = 200;

/**
 * Durable, at-least-once delivery of checkout events to plugins. Each consumer has a cursor over
 * the `checkout_events` outbox; new events are copied into `plugin_deliveries` in the same
 * transaction that advances the cursor, then each delivery is retried with backoff until its
 * handler succeeds. A crash at any point leaves either the event ahead of the cursor or a pending
 * delivery, never nothing. The in-process bus only wakes the loop early.
 */
@Injectable()
export class PluginEvents implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PluginEvents.name);
  private readonly subscriptions = new Map<string, CheckoutEventSubscription>();
  /** The first time a hole in the seq numbers was seen, per consumer: a concurrent transaction may still fill it. */
  private readonly gaps = new Map<string, { seq: number; since: number }>();
  private busSubscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  private lastPrune = 0;
  private bootstrapped = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  retry: RetryPolicy = { baseMs: 1000, maxMs: 10 * 60_000, maxAttempts: 25 };
  pollMs = 2000;
  /** Longer than any transaction that writes an event: after it, a hole is a rolled-back insert. */
  gapGraceMs = 10_000;
  leaseMs = 60_000;
  keepDoneMs = 7 * 86_400_000;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly bus: CheckoutEventsBus,
  ) {}

  /**
   * Call from a plugin's onModuleInit (later works too). A new consumer starts at the newest event:
   * history is not replayed. Returns a function that stops delivering to it (its cursor is kept).
   */
  subscribe(subscription: CheckoutEventSubscription): () => void {
    if (this.subscriptions.has(subscription.consumer)) throw new Error(`Checkout event consumer "${subscription.consumer}" is already subscribed`);
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(subscription.consumer)) throw new Error('Checkout event consumer names are 1-64 letters, digits, _ . : -');
    this.subscriptions.set(subscription.consumer, subscription);
    if (this.bootstrapped) this.start();
    return () => {
      this.subscriptions.delete(subscription.consumer);
    };
  }

  onApplicationBootstrap(): void {
    this.bootstrapped = true;
    if (this.subscriptions.size > 0) this.start();
  }

  private start(): void {
    if (!this.timer) {
      this.busSubscription = this.bus.events$.subscribe(() => void this.wake());
      this.timer = setInterval(() => void this.wake(), this.pollMs);
      this.timer.unref();
    }
    void this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.busSubscription?.unsubscribe();
    await this.draining;
  }

  /** Runs the loop now (or once more after the current pass); resolves when that pass is done. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        try {
          await this.drainOnce();
        } catch (err) {
          this.logger.error({ err }, 'plugin event loop failed; retrying on the next tick');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.draining = undefined;
      // A wake-up that arrived after the last pass had checked `again` still gets its pass.
      if (this.again && !this.stopped) void this.wake();
    });
    return this.draining;
  }

  /** Delivery counts per status for a consumer: what an operator (or a test) looks at. */
  async stats(consumer: string): Promise<Record<PluginDeliveryStatus, number>> {
    const rows = await this.uow.dataSource
      .getRepository(PluginDelivery)
      .createQueryBuilder('d')
      .select('d.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('d.consumer = :consumer', { consumer })
      .groupBy('d.status')
      .getRawMany<{ status: PluginDeliveryStatus; count: string | number }>();
    const out: Record<PluginDeliveryStatus, number> = { pending: 0, done: 0, failed: 0 };
    for (const row of rows) out[row.status] = Number(row.count);
    return out;
  }

  private async drainOnce(): Promise<void> {
    for (const subscription of this.subscriptions.values()) {
      while ((await this.fanOut(subscription)) === BATCH && !this.stopped);
    }
    // Consumers run side by side so a slow platform never holds up another plugin.
    await Promise.all([...this.subscriptions.values()].map((s) => this.deliverDue(s)));
    if (Date.now() - this.lastPrune > 3_600_000) await this.prune();
  }

  private async cursorOf(consumer: string): Promise<PluginCursor> {
    const repo = this.uow.dataSource.getRepository(PluginCursor);
    const existing = await repo.findOne({ where: { consumer } });
    if (existing) return existing;
    const { max } = (await this.uow.dataSource.getRepository(CheckoutEvent).createQueryBuilder('e').select('MAX(e.seq)', 'max').getRawOne<{ max: number | string | null }>()) ?? { max: null };
    await this.uow.run((m) => m.createQueryBuilder().insert().into(PluginCursor).values({ consumer, lastSeq: Number(max ?? 0), updatedAt: new Date() }).orIgnore().execute());
    return repo.findOneOrFail({ where: { consumer } });
  }

  /** Copies events past the cursor into deliveries; returns how many events it read. */
  private async fanOut(subscription: CheckoutEventSubscription): Promise<number> {
    const { consumer } = subscription;
    const cursor = await this.cursorOf(consumer);
    const events = await this.uow.dataSource.getRepository(CheckoutEvent).find({
      select: { seq: true, id: true, type: true },
      where: { seq: MoreThan(cursor.lastSeq) },
      order: { seq: 'ASC' },
      take: BATCH,
    });
    const accepted: Pick<CheckoutEvent, 'seq' | 'id' | 'type'>[] = [];
    let expected = cursor.lastSeq + 1;
    for (const event of events) {
      if (event.seq !== expected && !this.gapExpired(consumer, expected)) break;
      accepted.push(event);
      expected = event.seq + 1;
    }
    if (accepted.length === 0) return 0;
    const newSeq = accepted[accepted.length - 1].seq;
    const now = new Date();
    const wanted = accepted.filter((e) => subscription.types.includes(e.type));
    try {
      await this.uow.run(async (m) => {
        const moved = await m
          .createQueryBuilder()
          .update(PluginCursor)
          .set({ lastSeq: newSeq, updatedAt: now })
          .where({ consumer, lastSeq: cursor.lastSeq })
          .execute();
        // Another replica advanced it first and queued these events itself.
        if (!moved.affected) throw new CursorMoved();
        if (wanted.length > 0) {
          await m.insert(
            PluginDelivery,
            wanted.map((e) => ({ consumer, eventSeq: e.seq, eventId: e.id, status: 'pending' as const, attempts: 0, nextAttemptAt: now, leaseUntil: null, lastError: null, createdAt: now, updatedAt: now })),
          );
        }
      });
    } catch (err) {
      if (err instanceof CursorMoved) return 0;
      throw err;
    }
    return events.length === BATCH && accepted.length === events.length ? BATCH : 0;
  }

  private gapExpired(consumer: string, seq: number): boolean {
    const gap = this.gaps.get(consumer);
    if (!gap || gap.seq !== seq) {
      this.gaps.set(consumer, { seq, since: Date.now() });
      return false;
    }
    return Date.now() - gap.since >= this.gapGraceMs;
  }

  private async deliverDue(subscription: CheckoutEventSubscription): Promise<void> {
    const repo = this.uow.dataSource.getRepository(PluginDelivery);
    while (!this.stopped) {
      const now = new Date();
      const due = await repo.find({
        where: { consumer: subscription.consumer, status: 'pending', nextAttemptAt: LessThanOrEqual(now), leaseUntil: Or(IsNull(), LessThan(now)) },
        order: { nextAttemptAt: 'ASC', id: 'ASC' },
        take: 50,
      });
      if (due.length === 0) return;
      for (const delivery of due) {
        if (this.stopped) return;
        await this.deliver(subscription, delivery);
      }
    }
  }

  private async deliver(subscription: CheckoutEventSubscription, delivery: PluginDelivery): Promise<void> {
    const now = new Date();
    const claimed = await this.uow.run((m) =>
      m
        .createQueryBuilder()
        .update(PluginDelivery)
        .set({ leaseUntil: new Date(now.getTime() + this.leaseMs), attempts: () => '"attempts" + 1', updatedAt: now })
        .where({ id: delivery.id, status: 'pending', leaseUntil: Or(IsNull(), LessThan(now)) })
        .execute(),
    );
    if (!claimed.affected) return;
    const attempt = delivery.attempts + 1;
    const event = await this.uow.dataSource.getRepository(CheckoutEvent).findOne({ where: { seq: delivery.eventSeq } });
    try {
      if (event) {
        await subscription.handle({
          seq: event.seq,
          id: event.id,
          type: event.type,
          storeId: event.storeId,
          checkoutId: event.checkoutId,
          createdAt: event.createdAt,
          checkout: (event.payload as { checkout: CheckoutView }).checkout,
          attempt,
        });
      }
      await this.uow.run((m) => m.update(PluginDelivery, { id: delivery.id }, { status: 'done', leaseUntil: null, lastError: null, updatedAt: new Date() }));
    } catch (err) {
      const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 1000);
      const permanent = err instanceof PermanentPluginError || attempt >= this.retry.maxAttempts;
      if (permanent) {
        this.logger.error({ consumer: subscription.consumer, eventId: delivery.eventId, attempt, error: message }, 'plugin gave up on a checkout event');
        await this.uow.run((m) => m.update(PluginDelivery, { id: delivery.id }, { status: 'failed', leaseUntil: null, lastError: message, updatedAt: new Date() }));
        return;
      }
      const backoff = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempt - 1));
      const delay = Math.max(backoff, err instanceof RetryablePluginError && err.retryAfterMs ? Math.min(err.retryAfterMs, this.retry.maxMs) : 0);
      this.logger.warn({ consumer: subscription.consumer, eventId: delivery.eventId, attempt, retryInMs: delay, error: message }, 'plugin could not handle a checkout event; will retry');
      await this.uow.run((m) => m.update(PluginDelivery, { id: delivery.id }, { status: 'pending', leaseUntil: null, lastError: message, nextAttemptAt: new Date(Date.now() + delay), updatedAt: new Date() }));
      this.wakeIn(delay);
    }
  }

  /** Retries run when due rather than on the next poll; the poll still covers other replicas' retries. */
  private wakeIn(ms: number): void {
    if (ms >= this.pollMs || this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void this.wake();
    }, ms + 5);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private async prune(): Promise<void> {
    this.lastPrune = Date.now();
    await this.uow.run((m) => m.delete(PluginDelivery, { consumer: In([...this.subscriptions.keys()]), status: 'done', updatedAt: LessThan(new Date(Date.now() - this.keepDoneMs)) }));
  }
}
