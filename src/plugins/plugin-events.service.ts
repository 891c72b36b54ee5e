import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { In, IsNull, LessThan, LessThanOrEqual, Or } from 'typeorm';
import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { CheckoutEventType } from '../checkout/checkout-status';
import type { CheckoutView } from '../checkout/checkout.view';
import { ScheduledJob, ScheduledJobs } from '../common/scheduled-job';
import { UnitOfWork } from '../database/unit-of-work';
import { InstanceRegistry } from '../instances/instance-registry';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { WebhookFanout } from '../webhooks/webhook-fanout';
import { PluginConsumer } from './plugin-consumer.entity';
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
  /** Stable name the consumer and its deliveries are kept under (usually the plugin name). */
  consumer: string;
  types: readonly CheckoutEventType[];
  handle(event: PluginCheckoutEvent): Promise<void>;
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/**
 * Durable, at-least-once delivery of checkout events to plugins. A subscribed consumer is recorded
 * in `plugin_consumers`; the outbox fan-out (WebhookFanout, the one that creates webhook
 * deliveries) creates its `plugin_deliveries` in the same transaction that marks each event
 * dispatched, on whichever replica runs it. This loop then hands each delivery to the handler and
 * retries it with backoff until it succeeds. A crash at any point leaves either an undispatched
 * event or a pending delivery, never nothing, and an event committed late is dispatched when it
 * becomes visible.
 */
@Injectable()
export class PluginEvents implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PluginEvents.name);
  private readonly subscriptions = new Map<string, CheckoutEventSubscription>();
  /** Consumers whose row is written (or being written): the fan-out only serves those. */
  private readonly registered = new Map<string, Promise<void>>();
  private fanoutSubscription?: Subscription;
  private reclaimedSubscription?: Subscription;
  private pollJob?: ScheduledJob;
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  private lastPrune = 0;
  private bootstrapped = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  retry: RetryPolicy = { baseMs: 1000, maxMs: 10 * 60_000, maxAttempts: 25 };
  pollMs = 2000;
  leaseMs = 60_000;
  keepDoneMs = 7 * 86_400_000;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly fanout: WebhookFanout,
    private readonly dispatcher: WebhookDispatcher,
    private readonly instance: InstanceRegistry,
    private readonly jobs: ScheduledJobs,
  ) {}

  /**
   * Call from a plugin's onModuleInit (later works too). A new consumer starts at the newest event:
   * history is not replayed. Returns a function that stops delivering to it here (the consumer is
   * kept: its events keep being queued and are delivered once it subscribes again).
   */
  subscribe(subscription: CheckoutEventSubscription): () => void {
    if (this.subscriptions.has(subscription.consumer)) throw new Error(`Checkout event consumer "${subscription.consumer}" is already subscribed`);
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(subscription.consumer)) throw new Error('Checkout event consumer names are 1-64 letters, digits, _ . : -');
    this.subscriptions.set(subscription.consumer, subscription);
    this.registered.delete(subscription.consumer);
    if (this.bootstrapped) this.start();
    return () => {
      this.subscriptions.delete(subscription.consumer);
      this.registered.delete(subscription.consumer);
    };
  }

  onApplicationBootstrap(): void {
    this.bootstrapped = true;
    if (this.subscriptions.size > 0) this.start();
  }

  private start(): void {
    if (!this.pollJob) {
      // The fan-out runs on the dispatcher's post-commit hint and poll; it says when it queued something.
      this.fanoutSubscription = this.fanout.pluginDeliveries$.subscribe((consumers) => {
        if (consumers.some((c) => this.subscriptions.has(c))) void this.wake();
      });
      // A dead instance's leases were released: its deliveries go on now, not on the next poll.
      this.reclaimedSubscription = this.instance.reclaimed$.subscribe(({ consumers }) => {
        if (consumers.some((c) => this.subscriptions.has(c))) void this.wake();
      });
      this.pollJob = this.jobs.every({ name: 'plugin-events-poll', everyMs: this.pollMs, run: () => this.wake(), whenBusy: 'coalesce' });
    }
    void this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    void this.pollJob?.stop();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.fanoutSubscription?.unsubscribe();
    this.reclaimedSubscription?.unsubscribe();
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
    for (const consumer of this.subscriptions.keys()) await this.register(consumer);
    await this.dispatcher.fanoutNow();
    // Consumers run side by side so a slow platform never holds up another plugin.
    await Promise.all([...this.subscriptions.values()].map((s) => this.deliverDue(s)));
    if (Date.now() - this.lastPrune > 3_600_000) await this.prune();
  }

  /**
   * Writes the consumer's row once per subscription: new, it starts after the newest event;
   * known, its event types are brought up to date (its position is kept). A failure is retried
   * on the next pass.
   */
  private register(consumer: string): Promise<void> {
    let done = this.registered.get(consumer);
    if (!done) {
      const types = [...(this.subscriptions.get(consumer)?.types ?? [])];
      done = this.uow.run(async (m) => {
        const now = new Date();
        const { max } = (await m.createQueryBuilder(CheckoutEvent, 'e').select('MAX(e.seq)', 'max').getRawOne<{ max: number | string | null }>()) ?? {
          max: null,
        };
        await m
          .createQueryBuilder()
          .insert()
          .into(PluginConsumer)
          .values({ consumer, types, sinceSeq: Number(max ?? 0), createdAt: now, updatedAt: now })
          .orIgnore()
          .execute();
        await m.update(PluginConsumer, { consumer }, { types, updatedAt: now });
      });
      this.registered.set(consumer, done);
      done.catch(() => this.registered.delete(consumer));
    }
    return done;
  }

  /** The types the consumer is registered for now, by whichever replica subscribed it last. */
  private async registeredTypes(consumer: string): Promise<readonly CheckoutEventType[]> {
    return (await this.uow.dataSource.getRepository(PluginConsumer).findOne({ where: { consumer } }))?.types ?? [];
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
    // Only while this instance still holds the lease: frozen past instances.deadAfterMs, it was taken
    // for dead and another instance took the delivery back (and may have finished it); a late
    // outcome from here must not overwrite that one, nor put a finished delivery back to pending.
    const update = async (set: Partial<PluginDelivery>) => {
      const changed = await this.uow.run((m) =>
        m.update(PluginDelivery, { id: delivery.id, status: 'pending', leaseOwner: this.instance.id }, { ...set, leaseOwner: null, updatedAt: new Date() }),
      );
      if (!changed.affected)
        this.logger.warn(
          { consumer: subscription.consumer, eventId: delivery.eventId },
          'plugin delivery outcome not recorded: another instance took the delivery back meanwhile',
        );
    };
    const now = new Date();
    const claimed = await this.uow.run((m) =>
      m
        .createQueryBuilder()
        .update(PluginDelivery)
        .set({ leaseUntil: new Date(now.getTime() + this.leaseMs), leaseOwner: this.instance.id, attempts: () => '"attempts" + 1', updatedAt: now })
        .where({ id: delivery.id, status: 'pending', leaseUntil: Or(IsNull(), LessThan(now)) })
        .execute(),
    );
    if (!claimed.affected) return;
    const attempt = delivery.attempts + 1;
    const event = await this.uow.dataSource.getRepository(CheckoutEvent).findOne({ where: { seq: delivery.eventSeq } });
    if (event && !subscription.types.includes(event.type) && (await this.registeredTypes(subscription.consumer)).includes(event.type)) {
      // Another replica runs a version of this plugin that takes the type (a rolling upgrade): the
      // event is owed to it, so it is handed back for that replica instead of settled here unhandled.
      await update({ attempts: delivery.attempts, leaseUntil: null, nextAttemptAt: new Date(Date.now() + this.retry.baseMs) });
      return;
    }
    try {
      // A consumer carried over from the old cursor is queued every type until it subscribes again.
      if (event && subscription.types.includes(event.type)) {
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
      await update({ status: 'done', leaseUntil: null, lastError: null });
    } catch (err) {
      const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 1000);
      const permanent = err instanceof PermanentPluginError || attempt >= this.retry.maxAttempts;
      if (permanent) {
        this.logger.error({ consumer: subscription.consumer, eventId: delivery.eventId, attempt, error: message }, 'plugin gave up on a checkout event');
        await update({ status: 'failed', leaseUntil: null, lastError: message });
        return;
      }
      const backoff = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempt - 1));
      const delay = Math.max(backoff, err instanceof RetryablePluginError && err.retryAfterMs ? Math.min(err.retryAfterMs, this.retry.maxMs) : 0);
      this.logger.warn(
        { consumer: subscription.consumer, eventId: delivery.eventId, attempt, retryInMs: delay, error: message },
        'plugin could not handle a checkout event; will retry',
      );
      await update({ status: 'pending', leaseUntil: null, lastError: message, nextAttemptAt: new Date(Date.now() + delay) });
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
    const consumers = [...this.subscriptions.keys()];
    if (consumers.length === 0) return;
    await this.uow.run((m) =>
      m.delete(PluginDelivery, { consumer: In(consumers), status: 'done', updatedAt: LessThan(new Date(Date.now() - this.keepDoneMs)) }),
    );
  }
}
