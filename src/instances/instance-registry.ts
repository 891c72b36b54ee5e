import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Subject } from 'rxjs';
import { EntityManager, In } from 'typeorm';
import { ScheduledJob, ScheduledJobs } from '../common/scheduled-job';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { PluginDelivery } from '../plugins/plugin-delivery.entity';
import { SerialRunner } from '../webhooks/serial-runner';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { Instance } from './instance.entity';

/** What was taken back from dead processes in one pass, for the loops that deliver it. */
export interface Reclaimed {
  /** Dead process ids whose leases were released. */
  instances: string[];
  /** Webhook endpoints whose head delivery is free again. */
  endpointIds: string[];
  /** Plugin consumers with deliveries free again. */
  consumers: string[];
}

/** Rows of processes found dead are kept this long for the operator, then deleted. */
const KEEP_REAPED_MS = 86_400_000;

/**
 * This process's row in `instances`, renewed every `instances.heartbeatMs`, and the reaper that
 * takes back what dead processes held: on each beat (and at start-up) any process whose heartbeat is
 * older than `instances.deadAfterMs` has its webhook and plugin delivery leases released, so a
 * `kill -9` stalls its work for seconds rather than until the leases run out. A live sibling is never
 * touched: only stale heartbeats count, and on PostgreSQL they are judged by the database's clock.
 */
@Injectable()
export class InstanceRegistry implements OnModuleInit, BeforeApplicationShutdown {
  readonly id = `inst_${randomBytes(12).toString('base64url')}`;
  /** After each pass that released something (committed). */
  readonly reclaimed$ = new Subject<Reclaimed>();
  private readonly logger = new Logger(InstanceRegistry.name);
  private readonly runner = new SerialRunner(() => this.beat());
  private job?: ScheduledJob;
  private stopped = false;
  private lastWarnAt = 0;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.runner.trigger();
    // Coalesced: a beat that overran is followed by the next at once, not a whole period later.
    this.job = this.jobs.every({
      name: 'instance-heartbeat',
      everyMs: this.config.instances.heartbeatMs,
      run: () => this.runner.trigger(),
      whenBusy: 'coalesce',
    });
    this.logger.log({ instance: this.id }, 'instance registered');
  }

  /**
   * Runs after every onModuleDestroy, so the webhook queue has drained: whatever webhook lease is
   * left (an attempt that outlived the drain) is released now. Plugin deliveries may still be
   * finishing (their loop stops in its own beforeApplicationShutdown): while this process holds
   * one, its row is left to go stale, and another process (or the next start) takes it back then.
   * With nothing held, the row is marked gone at once.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.job?.stop();
    await this.runner.idle();
    try {
      await this.uow.run(async (m) => {
        if (!this.uow.isSqlite) await m.update(WebhookDelivery, { leaseOwner: this.id, status: 'pending' }, { lockedUntil: null, leaseOwner: null });
        if (!(await m.exists(PluginDelivery, { where: { leaseOwner: this.id, status: 'pending' } })))
          await m.update(Instance, { id: this.id }, { reapedAt: new Date() });
      });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not release this instance at shutdown; other instances will once its heartbeat is stale');
    }
  }

  /** One heartbeat and one reaper pass, in one transaction (one commit per beat on SQLite). */
  private async beat(): Promise<void> {
    if (this.stopped) return;
    let reclaimed: Reclaimed | null;
    try {
      reclaimed = await this.uow.run(async (m) => {
        const inTouch = await this.renew(m);
        // After a gap in this process's own beats (the database was unreachable or slow for all,
        // this process was frozen), every other heartbeat may look stale only because nobody could
        // write it: judge others again once this one has beaten on time.
        return inTouch ? this.reap(m) : null;
      });
    } catch (err) {
      if (Date.now() - this.lastWarnAt > 5000) {
        this.lastWarnAt = Date.now();
        this.logger.warn({ err: (err as Error).message }, 'instance heartbeat failed; retrying on the next beat');
      }
      return;
    }
    if (reclaimed) {
      this.logger.warn(
        { deadInstances: reclaimed.instances, endpoints: reclaimed.endpointIds.length, pluginConsumers: reclaimed.consumers.length },
        'took back the deliveries of instances whose heartbeat stopped',
      );
      this.reclaimed$.next(reclaimed);
    }
  }

  /** The database's clock on PostgreSQL, so replicas on hosts with skewed clocks agree who is stale. */
  private now(): Date | (() => string) {
    return this.uow.isSqlite ? new Date() : () => 'now()';
  }

  /** Renews this process's heartbeat; false when its previous one is older than deadAfterMs / 2 (a gap). */
  private async renew(m: EntityManager): Promise<boolean> {
    const now = this.now();
    const [previous] = await m.query<{ heartbeatAt?: string; gapMs?: string | number }[]>(
      this.uow.isSqlite
        ? `SELECT "heartbeatAt" AS "heartbeatAt" FROM instances WHERE id = ?`
        : `SELECT EXTRACT(EPOCH FROM (now() - "heartbeatAt")) * 1000 AS "gapMs" FROM instances WHERE id = $1`,
      [this.id],
    );
    const renewed = await m.update(Instance, { id: this.id }, { heartbeatAt: now, reapedAt: null });
    // First beat, or the row was pruned while this process was frozen: (re)insert it.
    if (!renewed.affected)
      await m.insert(Instance, {
        id: this.id,
        host: hostname().slice(0, 255),
        pid: process.pid,
        startedAt: now as Date,
        heartbeatAt: now as Date,
        reapedAt: null,
      });
    // The first beat judges at once: a restarted process takes its dead predecessor's work back.
    if (!previous) return true;
    const gapMs = this.uow.isSqlite ? Date.now() - sqliteDate(previous.heartbeatAt as string).getTime() : Number(previous.gapMs);
    return gapMs <= this.config.instances.deadAfterMs / 2;
  }

  /** Releases the leases of every other instance whose heartbeat is stale; null when there was none. */
  private async reap(m: EntityManager): Promise<Reclaimed | null> {
    const deadAfterMs = this.config.instances.deadAfterMs;
    const qb = m.createQueryBuilder(Instance, 'i').select('i.id', 'id').where('i.id <> :me', { me: this.id }).andWhere('i."reapedAt" IS NULL').orderBy('i.id');
    if (this.uow.isSqlite) qb.andWhere('i."heartbeatAt" < :cutoff', { cutoff: new Date(Date.now() - deadAfterMs) });
    // Locked, so two reapers take turns (the second finds it reaped) and a late heartbeat waits for this one.
    else qb.andWhere(`i."heartbeatAt" < now() - (:deadAfterMs * interval '1 millisecond')`, { deadAfterMs }).setLock('pessimistic_write');
    const dead = (await qb.getRawMany<{ id: string }>()).map((r) => r.id);
    await m
      .createQueryBuilder()
      .delete()
      .from(Instance)
      .where('"reapedAt" < :before', { before: new Date(Date.now() - KEEP_REAPED_MS) })
      .execute();
    if (dead.length === 0) return null;
    const released = await this.release(m, dead);
    await m.update(Instance, { id: In(dead) }, { reapedAt: this.now() });
    return { instances: dead, ...released };
  }

  private async release(m: EntityManager, owners: string[]): Promise<Omit<Reclaimed, 'instances'>> {
    let endpointIds: string[];
    if (this.uow.isSqlite) {
      // SQLite is served by one process, which leases webhook deliveries in memory: a dead
      // predecessor left no lease, only (with BullMQ) jobs Redis still thinks are running. Every
      // endpoint's head gets a new job id (generation), so the sweeper's enqueue is not swallowed by them.
      const heads = await m.query<{ seq: number; endpointId: string }[]>(
        `SELECT MIN(seq) AS seq, "endpointId" AS "endpointId" FROM webhook_deliveries WHERE status = 'pending' GROUP BY "endpointId"`,
      );
      const seqs = heads.map((h) => Number(h.seq));
      for (let i = 0; i < seqs.length; i += 500) {
        await m
          .createQueryBuilder()
          .update(WebhookDelivery)
          .set({ leaseGeneration: () => '"leaseGeneration" + 1' })
          .where({ seq: In(seqs.slice(i, i + 500)) })
          .execute();
      }
      endpointIds = heads.map((h) => h.endpointId);
    } else {
      const leased = await m.find(WebhookDelivery, { select: { seq: true, endpointId: true }, where: { leaseOwner: In(owners), status: 'pending' } });
      if (leased.length > 0) {
        // A new generation gives the delivery a new BullMQ job id: the dead process's job may still be marked active there.
        await m
          .createQueryBuilder()
          .update(WebhookDelivery)
          .set({ lockedUntil: null, leaseOwner: null, leaseGeneration: () => '"leaseGeneration" + 1' })
          .where({ seq: In(leased.map((d) => d.seq)), leaseOwner: In(owners) })
          .execute();
      }
      endpointIds = [...new Set(leased.map((d) => d.endpointId))];
    }
    const plugin = await m.find(PluginDelivery, { select: { id: true, consumer: true }, where: { leaseOwner: In(owners), status: 'pending' } });
    if (plugin.length > 0) {
      await m.update(
        PluginDelivery,
        { id: In(plugin.map((d) => d.id)), leaseOwner: In(owners) },
        { leaseUntil: null, leaseOwner: null, updatedAt: new Date() },
      );
    }
    return { endpointIds, consumers: [...new Set(plugin.map((d) => d.consumer))] };
  }
}

/** TypeORM keeps dates in SQLite as UTC "YYYY-MM-DD HH:MM:SS.SSS" text. */
function sqliteDate(value: string): Date {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}
