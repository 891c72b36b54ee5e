import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { CheckoutEventsBus } from '../checkout/checkout-events.bus';
import { ScheduledJob, ScheduledJobs } from '../common/scheduled-job';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { InstanceRegistry } from '../instances/instance-registry';
import { DeliveryQueue } from './delivery-queue';
import { AttemptOutcome, DeliveryWorker } from './delivery-worker';
import { SerialRunner } from './serial-runner';
import { WebhookFanout } from './webhook-fanout';

/** Deliveries of one endpoint sent back to back in one queue slot before yielding it. */
const CHAIN_LIMIT = 25;

interface Head {
  id: string;
  endpointId: string;
  nextAttemptAt: Date;
  generation: number;
}

function asDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  // SQLite hands back TypeORM's UTC "YYYY-MM-DD HH:MM:SS.SSS" text.
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

/**
 * Drives delivery: fans the outbox out (on the post-commit hint, on a short poll and at start-up),
 * hands each endpoint's oldest pending delivery to the queue, and chains the next one when it
 * finishes. The poll also re-enqueues whatever a queue lost (a Redis restart, a crashed replica).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly fanoutRunner = new SerialRunner(() => this.fanout());
  private readonly sweepRunner = new SerialRunner(() => this.sweep());
  private subscription?: Subscription;
  private reclaimedSubscription?: Subscription;
  private sweepJob?: ScheduledJob;
  private fanoutTimer?: NodeJS.Timeout;
  private stopped = false;
  private lastWarnAt = 0;
  /** Endpoints whose backlog this process is working off right now. */
  private readonly chains = new Map<string, { dirty: boolean }>();

  constructor(
    private readonly fanoutService: WebhookFanout,
    private readonly worker: DeliveryWorker,
    private readonly queue: DeliveryQueue,
    private readonly bus: CheckoutEventsBus,
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    private readonly instance: InstanceRegistry,
    private readonly jobs: ScheduledJobs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.start((id) => this.handle(id));
    this.subscription = this.bus.events$.subscribe(() => this.scheduleFanout());
    // A dead instance's leases were just released: its endpoints go on now, not on the next poll.
    this.reclaimedSubscription = this.instance.reclaimed$.subscribe(
      ({ endpointIds }) => void this.kick(endpointIds).catch((err) => this.warn(err, 'could not enqueue reclaimed deliveries; the sweeper will')),
    );
    this.sweepJob = this.jobs.every({
      name: 'webhook-sweep',
      everyMs: this.config.webhooks.pollIntervalMs,
      run: () => this.sweepRunner.trigger(),
      whenBusy: 'coalesce',
    });
    void this.sweepRunner.trigger();
    this.logger.log({ mode: this.queue.mode }, 'webhook delivery started');
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    void this.sweepJob?.stop();
    clearTimeout(this.fanoutTimer);
    this.subscription?.unsubscribe();
    this.reclaimedSubscription?.unsubscribe();
    await this.fanoutRunner.idle();
    await this.sweepRunner.idle();
    await this.queue.stop();
  }

  /** Fans the outbox out now (coalesced with a running fan-out); resolves when that run is done. */
  fanoutNow(): Promise<void> {
    return this.fanoutRunner.trigger();
  }

  /** Enqueues the oldest pending delivery of each endpoint given. */
  async kick(endpointIds: string[]): Promise<void> {
    if (endpointIds.length === 0 || this.stopped) return;
    const idle = endpointIds.filter((id) => {
      const chain = this.chains.get(id);
      // A chain in this process is working the endpoint off: tell it to look again instead.
      if (chain) chain.dirty = true;
      return !chain;
    });
    if (idle.length > 0) await this.enqueueAll(await this.heads({ endpointIds: idle }));
  }

  private async handle(deliveryId: string): Promise<AttemptOutcome> {
    const outcome = await this.worker.attempt(deliveryId);
    if (outcome.kind === 'done') {
      await this.continueEndpoint(outcome.endpointId).catch((err) => this.warn(err, 'could not enqueue the next delivery; the sweeper will'));
    }
    return outcome;
  }

  /**
   * An endpoint's deliveries go one after another, so its backlog is worked off in the slot that
   * just finished (up to CHAIN_LIMIT) instead of a queue round trip per delivery; other endpoints
   * run in other slots meanwhile. Whatever is left, or must wait, goes back to the queue.
   */
  private async continueEndpoint(endpointId: string): Promise<void> {
    if (this.chains.has(endpointId)) {
      (this.chains.get(endpointId) as { dirty: boolean }).dirty = true;
      return;
    }
    const chain = { dirty: false };
    this.chains.set(endpointId, chain);
    let handOff = false;
    try {
      for (let i = 0; ; i++) {
        if (this.stopped) return;
        if (i >= CHAIN_LIMIT) {
          handOff = true;
          return;
        }
        chain.dirty = false;
        const [next] = await this.heads({ endpointIds: [endpointId] }, 1);
        if (!next) {
          // New deliveries may have been fanned out while we looked: look once more if so.
          if (chain.dirty) continue;
          return;
        }
        if (next.nextAttemptAt.getTime() > Date.now()) return await this.queue.enqueue(next.id, next.nextAttemptAt, next.generation);
        const outcome = await this.worker.attempt(next.id);
        if (outcome.kind === 'retry') return await this.queue.enqueue(next.id, outcome.at, next.generation);
        // Skipped: someone else holds it (or the endpoint is paused) and carries on from there,
        // unless it already finished and handed the endpoint back to this chain (dirty).
        if (outcome.kind === 'skipped' && !chain.dirty) return;
      }
    } finally {
      this.chains.delete(endpointId);
      if (handOff) await this.kick([endpointId]);
    }
  }

  /**
   * Each fan-out is a write transaction, and on SQLite the next checkout's INSERT queues behind
   * it: waiting fanoutDelayMs after the first hint lets one transaction take every event of a
   * burst. The outbox row is already committed, so a crash in the wait loses nothing.
   */
  private scheduleFanout(): void {
    const delay = this.config.webhooks.fanoutDelayMs;
    if (delay === 0) return void this.fanoutRunner.trigger();
    if (this.fanoutTimer) return;
    this.fanoutTimer = setTimeout(() => {
      this.fanoutTimer = undefined;
      void this.fanoutRunner.trigger();
    }, delay);
  }

  private async fanout(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.kick(await this.fanoutService.dispatchAll());
    } catch (err) {
      this.logger.error({ err }, 'webhook fan-out failed; retrying on the next poll');
    }
  }

  private async sweep(): Promise<void> {
    await this.fanoutRunner.trigger();
    if (this.stopped) return;
    try {
      await this.enqueueAll(await this.heads({ dueBy: new Date() }));
    } catch (err) {
      this.warn(err, 'webhook sweep failed; retrying on the next poll');
    }
  }

  /** An unreachable Redis or database fails every poll; say so every few seconds, not each time. */
  private warn(err: unknown, msg: string): void {
    if (Date.now() - this.lastWarnAt < 5000) return;
    this.lastWarnAt = Date.now();
    this.logger.warn({ err: (err as Error).message }, msg);
  }

  private async enqueueAll(heads: Head[]): Promise<void> {
    for (const head of heads) await this.queue.enqueue(head.id, head.nextAttemptAt, head.generation);
  }

  /**
   * The oldest pending delivery of each enabled endpoint, when nobody holds a lease on it: the only
   * one of that endpoint that may be sent now (per-endpoint order). One index lookup per endpoint
   * (MIN over endpointId, status, seq), so a dead endpoint's long backlog costs nothing per poll.
   */
  private async heads(filter: { endpointIds?: string[]; dueBy?: Date }, limit = 500): Promise<Head[]> {
    const now = new Date();
    const firstPending = this.uow.dataSource
      .createQueryBuilder()
      .subQuery()
      .select(`(SELECT MIN(p.seq) FROM webhook_deliveries p WHERE p."endpointId" = e.id AND p.status = :pending)`)
      .from('webhook_endpoints', 'e')
      .where('e.enabled = :enabled');
    if (filter.endpointIds) firstPending.andWhere('e.id IN (:...endpointIds)');
    const qb = this.uow.dataSource
      .createQueryBuilder()
      .select(['d.id AS "id"', 'd."endpointId" AS "endpointId"', 'd."nextAttemptAt" AS "nextAttemptAt"', 'd."leaseGeneration" AS "generation"'])
      .from('webhook_deliveries', 'd')
      .where(`d.seq IN ${firstPending.getQuery()}`, { pending: 'pending', enabled: true, endpointIds: filter.endpointIds ?? [] })
      .andWhere('d.status = :pending')
      .andWhere('(d."lockedUntil" IS NULL OR d."lockedUntil" < :now)', { now })
      .orderBy('d."nextAttemptAt"', 'ASC')
      .limit(limit);
    if (filter.dueBy) qb.andWhere('d."nextAttemptAt" <= :dueBy', { dueBy: filter.dueBy });
    const rows = await qb.getRawMany<{ id: string; endpointId: string; nextAttemptAt: Date | string; generation: number | string }>();
    return rows.map((r) => ({ id: r.id, endpointId: r.endpointId, nextAttemptAt: asDate(r.nextAttemptAt), generation: Number(r.generation) }));
  }
}
