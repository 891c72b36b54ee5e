import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { InstanceRegistry } from '../instances/instance-registry';
import { MetricsService } from '../metrics/metrics.service';
import { backoffMs, verdictFor } from './retry-policy';
import { assertPublicTarget, ForbiddenTargetError, parseWebhookUrl } from './ssrf-guard';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { postWebhook, PostResult } from './webhook-http';
import { signedHeaders } from './webhook-signing';

/** What the queue should do next with a delivery. */
export type AttemptOutcome =
  /** Finished (succeeded or failed for good): the endpoint's next delivery may go. */
  | { kind: 'done'; endpointId: string }
  /** Still pending: try again at `at`. */
  | { kind: 'retry'; at: Date }
  /** Not this worker's to send now (not the endpoint's head, leased elsewhere, endpoint paused or gone). */
  | { kind: 'skipped' };

/** Longest Retry-After honoured, so a receiver cannot park a delivery for a year. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * Sends one attempt of one delivery and records it. Safe to call twice for the same delivery from
 * any replica: only the endpoint's oldest pending delivery is sent, under a lease in the database.
 */
@Injectable()
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);
  /** SQLite means one process: a lease in memory does, and saves a synchronous commit per attempt. */
  private readonly localLeases = new Set<string>();

  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(WebhookEndpoint) private readonly endpoints: Repository<WebhookEndpoint>,
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly instance: InstanceRegistry,
  ) {}

  async attempt(deliveryId: string): Promise<AttemptOutcome> {
    // SQLite: the lease in memory is taken before the row is read, so a second job for the same
    // delivery (BullMQ keeps a dead process's job, and a reclaim adds one per generation) reads what
    // the first one recorded rather than a copy from before it, and cannot send again at once.
    if (this.uow.isSqlite) {
      if (this.localLeases.has(deliveryId)) return { kind: 'skipped' };
      this.localLeases.add(deliveryId);
      try {
        return await this.attemptLeased(deliveryId);
      } finally {
        this.localLeases.delete(deliveryId);
      }
    }
    return this.attemptLeased(deliveryId);
  }

  private async attemptLeased(deliveryId: string): Promise<AttemptOutcome> {
    const delivery = await this.deliveries.findOne({ where: { id: deliveryId } });
    if (!delivery) return { kind: 'skipped' };
    // Finished earlier (a duplicate job, a re-enqueue racing the finish): whoever finished it moved
    // on to the endpoint's next delivery, and the sweep finds that one if the hand-off was lost.
    if (delivery.status !== 'pending') return { kind: 'skipped' };
    const earlier = await this.deliveries.exists({ where: { endpointId: delivery.endpointId, status: 'pending', seq: LessThan(delivery.seq) } });
    if (earlier) return { kind: 'skipped' };
    if (delivery.nextAttemptAt.getTime() > Date.now() + 20) return { kind: 'retry', at: delivery.nextAttemptAt };
    const endpoint = await this.endpoints.findOne({ where: { id: delivery.endpointId } });
    if (!endpoint || !endpoint.enabled) return { kind: 'skipped' };

    const { maxAttempts, maxAgeSeconds } = this.config.webhooks;
    const deadline = delivery.createdAt.getTime() + maxAgeSeconds * 1000;
    if (delivery.attempts >= maxAttempts || Date.now() > deadline) {
      await this.giveUp(delivery, `gave up after ${delivery.attempts} attempts`);
      return { kind: 'done', endpointId: delivery.endpointId };
    }
    if (!(await this.lease(delivery))) return { kind: 'skipped' };
    return this.sendAndRecord(delivery, endpoint, deadline);
  }

  private async sendAndRecord(delivery: WebhookDelivery, endpoint: WebhookEndpoint, deadline: number): Promise<AttemptOutcome> {
    const { maxAttempts } = this.config.webhooks;

    const timestamp = Math.floor(Date.now() / 1000);
    const previous =
      endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > Date.now() ? [endpoint.previousSecret] : [];
    const headers = signedHeaders(endpoint.secret, delivery.id, timestamp, delivery.body, previous);
    const attemptedAt = new Date();
    const { result, forbidden } = await this.send(endpoint.url, headers, delivery.body);
    const attempts = delivery.attempts + 1;
    const verdict = forbidden ? ({ kind: 'final', disableEndpoint: false } as const) : verdictFor(result.status, result.retryAfter);

    const update: Partial<WebhookDelivery> = {
      attempts,
      lockedUntil: null,
      leaseOwner: null,
      lastStatusCode: result.status,
      lastError: result.error?.slice(0, 500) ?? null,
    };
    let outcome: AttemptOutcome;
    if (verdict.kind === 'success') {
      Object.assign(update, { status: 'succeeded', completedAt: new Date() });
      outcome = { kind: 'done', endpointId: delivery.endpointId };
    } else if (verdict.kind === 'final') {
      Object.assign(update, { status: 'failed', completedAt: new Date() });
      outcome = { kind: 'done', endpointId: delivery.endpointId };
    } else {
      const { backoffBaseMs, backoffMaxMs } = this.config.webhooks;
      const delay = verdict.retryAfterMs !== undefined ? Math.min(verdict.retryAfterMs, MAX_RETRY_AFTER_MS) : backoffMs(attempts, backoffBaseMs, backoffMaxMs);
      const at = new Date(Date.now() + delay);
      if (attempts >= maxAttempts || at.getTime() > deadline) {
        Object.assign(update, {
          status: 'failed',
          completedAt: new Date(),
          lastError: `gave up after ${attempts} attempts: ${result.error ?? `HTTP ${result.status}`}`.slice(0, 500),
        });
        outcome = { kind: 'done', endpointId: delivery.endpointId };
      } else {
        update.nextAttemptAt = at;
        outcome = { kind: 'retry', at };
      }
    }

    const recorded = await this.uow.run(async (m) => {
      // Conditional: if the delivery was deleted with its endpoint meanwhile, there is nothing to
      // record. On PostgreSQL only while this instance still holds the lease: if it was frozen
      // (SIGSTOP, a stalled VM) past instances.deadAfterMs, another instance took the delivery back
      // and may be sending it now; that one records the outcome, not this late answer.
      const where = this.uow.isSqlite
        ? { id: delivery.id, status: 'pending' as const }
        : { id: delivery.id, status: 'pending' as const, leaseOwner: this.instance.id };
      const changed = await m.update(WebhookDelivery, where, update);
      if (!changed.affected) return false;
      await m.insert(WebhookAttempt, {
        deliveryId: delivery.id,
        attempt: attempts,
        url: endpoint.url,
        requestHeaders: headers,
        responseStatus: result.status,
        responseBody: result.body,
        error: result.error?.slice(0, 500) ?? null,
        latencyMs: result.latencyMs,
        attemptedAt,
      });
      if (verdict.kind === 'final' && verdict.disableEndpoint) {
        await m.update(WebhookEndpoint, { id: endpoint.id }, { enabled: false, disabledReason: 'the receiver answered 410 Gone', updatedAt: new Date() });
      }
      return true;
    });
    if (!recorded) {
      this.logger.warn(
        { deliveryId: delivery.id },
        'webhook attempt not recorded: the delivery finished, was deleted or was taken back by another instance meanwhile',
      );
      return { kind: 'skipped' };
    }
    this.metrics.webhookDelivery(update.status === 'succeeded' ? 'delivered' : update.status === 'failed' ? 'failed' : 'retry');
    if (verdict.kind === 'final' && verdict.disableEndpoint)
      this.logger.warn({ endpointId: endpoint.id }, 'webhook endpoint disabled: the receiver answered 410 Gone');
    return outcome;
  }

  private async send(rawUrl: string, headers: Record<string, string>, body: string): Promise<{ result: PostResult; forbidden: boolean }> {
    const { timeoutMs, allowPrivateTargets } = this.config.webhooks;
    let url: URL;
    try {
      url = parseWebhookUrl(rawUrl);
      if (!allowPrivateTargets) await assertPublicTarget(url);
    } catch (err) {
      // A target that now resolves to an internal address fails for good; a DNS hiccup is retried.
      const forbidden = err instanceof ForbiddenTargetError || !(err as NodeJS.ErrnoException).code;
      return { result: { status: null, retryAfter: null, body: null, error: (err as Error).message, latencyMs: 0 }, forbidden };
    }
    return { result: await postWebhook(url, headers, body, { timeoutMs, allowPrivateTargets }), forbidden: false };
  }

  /**
   * Takes the delivery for this worker for at most one request's time (plus slack), atomically, in
   * this instance's name: if the process dies, others take it back once its heartbeat is stale.
   */
  private async lease(delivery: WebhookDelivery): Promise<boolean> {
    // SQLite: taken in memory by attempt() before the row was read.
    if (this.uow.isSqlite) return true;
    const now = new Date();
    const until = new Date(now.getTime() + this.config.webhooks.timeoutMs + 30_000);
    // One autocommit statement on PostgreSQL: no transaction needed for a single conditional update.
    // write outside the unit of work: PostgreSQL only (SQLite leases in memory above), one atomic statement.
    const result = await this.deliveries
      .createQueryBuilder()
      .update(WebhookDelivery)
      .set({ lockedUntil: until, leaseOwner: this.instance.id })
      // Only as read: a second job for the delivery that read it before another attempt was recorded
      // (and its lease let go) must not send it again at once, outside the backoff.
      .where('id = :id AND status = :pending AND attempts = :attempts AND ("lockedUntil" IS NULL OR "lockedUntil" < :now)', {
        id: delivery.id,
        pending: 'pending',
        attempts: delivery.attempts,
        now,
      })
      .execute();
    return !!result.affected;
  }

  private async giveUp(delivery: WebhookDelivery, reason: string): Promise<void> {
    const changed = await this.uow.run((m) =>
      m.update(
        WebhookDelivery,
        { id: delivery.id, status: 'pending' },
        { status: 'failed', completedAt: new Date(), lockedUntil: null, leaseOwner: null, lastError: reason },
      ),
    );
    if (changed.affected) this.metrics.webhookDelivery('failed');
  }
}
