import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Campaign } from 'etcd3';
import { Gauge } from 'prom-client';
import { BehaviorSubject } from 'rxjs';
import { ExpiryScheduler } from '../checkout/expiry.scheduler';
import { ScheduledJob, ScheduledJobs } from '../common/scheduled-job';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { Reconciler } from '../payments/reconciler';
import { EtcdConnection } from './etcd-connection';

const LEADER_LOOKUP_TIMEOUT_MS = 1000;
const LEADER_LOOKUP_CACHE_MS = 1000;

export interface ReplicaStatus {
  replicaId: string;
  /** `etcd`: elected among replicas; `local`: no etcd configured, this replica does everything. */
  coordination: 'etcd' | 'local';
  isLeader: boolean;
  leaderSince: Date | null;
  /** The elected replica's id as etcd sees it (null: none, or etcd unreachable). */
  leaderId: string | null;
  lastError?: string;
}

/**
 * Elects one replica to run singleton work (expiry sweeps, reconciliation) through an etcd
 * election under `<etcd.namespace>election/singleton/`, held by a lease of `etcd.electionTtlSeconds`.
 * When the leader dies its lease expires and the next candidate takes over. A leader that cannot
 * renew its lease steps down before the lease can expire on the server, so two replicas never
 * both believe they lead for long; the conditional status updates make any overlap harmless.
 */
@Injectable()
export class ReplicaLeaderService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReplicaLeaderService.name);
  readonly replicaId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly leadership$: BehaviorSubject<boolean>;
  private leaderSince: Date | null = null;
  private campaign?: Campaign;
  private lastKeepalive = 0;
  private watchdog?: ScheduledJob;
  private retry?: NodeJS.Timeout;
  private stopping = false;
  private lastError?: string;
  private readonly ttlSeconds: number;
  private leaderIdCache?: { value: Promise<string | null>; until: number };

  constructor(
    private readonly etcd: EtcdConnection,
    private readonly expiry: ExpiryScheduler,
    private readonly reconciler: Reconciler,
    config: AppConfig,
    metrics: MetricsService,
    private readonly jobs: ScheduledJobs,
  ) {
    const gauge: Gauge = new Gauge({
      name: 'replica_is_leader',
      help: 'This replica runs the singleton work (expiry sweeps, reconciliation): 1, or 0.',
      registers: [metrics.registry],
      collect: () => gauge.set(this.isLeader ? 1 : 0),
    });
    this.ttlSeconds = config.etcd.electionTtlSeconds;
    this.leadership$ = new BehaviorSubject(!etcd.configured);
    // Decided before any sweep or reconciliation pass runs: followers must not start one.
    this.applyFlags(!etcd.configured);
    if (!etcd.configured) this.leaderSince = new Date();
  }

  get isLeader(): boolean {
    return this.leadership$.value;
  }

  async status(): Promise<ReplicaStatus> {
    return {
      replicaId: this.replicaId,
      coordination: this.etcd.configured ? 'etcd' : 'local',
      isLeader: this.isLeader,
      leaderSince: this.leaderSince,
      leaderId: this.etcd.configured ? await this.currentLeaderId() : this.replicaId,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Asks etcd, bounded and briefly cached: health pages must answer fast even when etcd does not. */
  private currentLeaderId(): Promise<string | null> {
    const now = Date.now();
    if (this.leaderIdCache && this.leaderIdCache.until > now) return this.leaderIdCache.value;
    const client = this.etcd.client!;
    let timer: NodeJS.Timeout | undefined;
    const value = Promise.race([
      client
        .namespace(this.etcd.namespace)
        .election('singleton')
        .leader()
        .then((id) => id ?? null),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LEADER_LOOKUP_TIMEOUT_MS))),
    ])
      .catch(() => null)
      .finally(() => clearTimeout(timer));
    this.leaderIdCache = { value, until: now + LEADER_LOOKUP_CACHE_MS };
    return value;
  }

  onApplicationBootstrap(): void {
    if (!this.etcd.configured) return;
    this.startCampaign();
    this.watchdog = this.jobs.every({ name: 'leader-lease-watchdog', everyMs: 250, run: async () => this.checkLease() });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    void this.watchdog?.stop();
    clearTimeout(this.retry);
    if (!this.etcd.configured) return;
    this.setLeader(false);
    // Resigning deletes our key at once, so a successor takes over without waiting for the TTL;
    // bounded, because shutdown must not wait on an etcd that is gone.
    const campaign = this.campaign;
    if (!campaign) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([campaign.resign().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }

  private startCampaign(): void {
    const client = this.etcd.client;
    if (!client || this.stopping) return;
    const election = client.namespace(this.etcd.namespace).election('singleton', this.ttlSeconds);
    const campaign = election.campaign(this.replicaId);
    this.campaign = campaign;
    this.lastKeepalive = Date.now();
    const lease = (campaign as unknown as { lease?: NodeJS.EventEmitter }).lease;
    lease?.on('keepaliveSucceeded', () => (this.lastKeepalive = Date.now()));
    campaign.on('elected', () => {
      if (this.campaign !== campaign) return;
      this.lastError = undefined;
      this.lastKeepalive = Date.now();
      this.setLeader(true);
    });
    campaign.on('error', (err: Error) => this.abandon(campaign, err.message));
  }

  /** Drops a failed campaign (lost lease, etcd unreachable) and campaigns again shortly. */
  private abandon(campaign: Campaign, reason: string): void {
    if (this.campaign !== campaign) return;
    this.campaign = undefined;
    if (this.lastError !== reason) this.logger.warn({ reason }, 'replica election: campaign failed; retrying');
    this.lastError = reason;
    this.setLeader(false);
    campaign.resign().catch(() => undefined);
    if (this.stopping) return;
    this.retry = setTimeout(() => this.startCampaign(), 1000);
    this.retry.unref();
  }

  /** The server drops our key TTL seconds after the last renewal; stop leading well before. */
  private checkLease(): void {
    if (!this.isLeader || !this.campaign) return;
    if (Date.now() - this.lastKeepalive > this.ttlSeconds * 1000 * 0.7) {
      this.abandon(this.campaign, 'lease not renewed in time (etcd unreachable?)');
    }
  }

  private setLeader(leader: boolean): void {
    if (leader === this.isLeader) return;
    this.leaderSince = leader ? new Date() : null;
    this.leaderIdCache = undefined;
    this.applyFlags(leader);
    this.leadership$.next(leader);
    this.logger.log(
      { replicaId: this.replicaId, leader },
      leader ? 'this replica is now the singleton leader' : 'this replica is no longer the singleton leader',
    );
    // A new leader catches up at once on anything the previous one left unfinished.
    if (leader && this.etcd.configured) {
      this.expiry.sweep().catch(() => undefined);
      // Failures are logged by the reconciler; an unhandled rejection would end the process.
      this.reconciler.reconcile().catch(() => undefined);
    }
  }

  private applyFlags(enabled: boolean): void {
    this.expiry.enabled = enabled;
    this.reconciler.enabled = enabled;
  }
}
