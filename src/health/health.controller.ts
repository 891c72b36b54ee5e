import { Controller, Get, Header, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { LiveView, NodesView, ReadyView, ReplicaView } from './health.views';
import { HealthCheckResult, HealthCheckService, HealthIndicatorFunction, HealthIndicatorResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { ReplicaLeaderService, ReplicaStatus } from '../coordination/replica-leader.service';
import { LightningService } from '../lightning/lightning.service';
import { DatabaseHealthIndicator } from './database.health';
import { DrainState } from './drain';
import { EtcdHealthIndicator } from './etcd.health';
import { LightningHealthIndicator } from './lightning.health';
import { nodeHealthView, NodeHealthView } from './node-health.view';
import { RatesHealthIndicator } from './rates.health';
import { RedisHealthIndicator } from './redis.health';

/** What this replica still does while a coordination dependency is away (shown in readiness). */
const DEGRADED_IMPACT = {
  etcd: 'singleton work (expiry sweeps, reconciliation) is paused on this replica until etcd answers; checkouts are served',
  redis: 'webhook deliveries wait in the database until Redis answers; checkouts are served',
} as const;

/**
 * Reports a dependency that only coordinates work as `degraded` instead of failing readiness:
 * the load balancer must not pull every replica while all of them can still take checkouts.
 */
function degradedWhenDown(key: keyof typeof DEGRADED_IMPACT, check: () => PromiseLike<HealthIndicatorResult>): HealthIndicatorFunction {
  return async () => {
    const result = await check();
    const detail = result[key];
    if (detail?.status !== 'down') return result;
    return { [key]: { ...detail, status: 'degraded', impact: DEGRADED_IMPACT[key] } };
  };
}

/**
 * Liveness (the process answers), readiness (this replica can take checkouts: its dependencies
 * answer and some Lightning node can issue invoices) and a per-node breakdown. Unauthenticated,
 * for load balancers and orchestrators: only names and states, never addresses or credentials.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);
  private lastReady?: boolean;
  private lastDegraded = '';

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly etcd: EtcdHealthIndicator,
    private readonly lightningHealth: LightningHealthIndicator,
    private readonly lightning: LightningService,
    private readonly replica: ReplicaLeaderService,
    private readonly drain: DrainState,
    private readonly rates: RatesHealthIndicator,
  ) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LiveView })
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Readiness: this replica can take checkouts',
    description:
      'Its database (and Redis, etcd when configured) answer, some Lightning node can issue invoices, and rates are fresh. 503 while any is down or while shutting down.',
  })
  @ApiOkResponse({ type: ReadyView })
  @ApiServiceUnavailableResponse({
    type: ReadyView,
    description: 'Not ready: `error` names what is down (status `error`), or the replica is draining (status `shutting_down`)',
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    if (this.drain.draining) {
      // Shutting down: out of rotation at once, whatever the dependencies say.
      const shutdown = { status: 'down' as const, message: `shutting down since ${this.drain.since?.toISOString()}; finishing requests already routed here` };
      res.status(503);
      return { status: 'shutting_down', info: {}, error: { shutdown }, details: { shutdown } };
    }
    const checks: HealthIndicatorFunction[] = [() => this.database.check(), () => this.lightningHealth.check(), () => this.rates.check()];
    if (this.redis.configured) checks.push(degradedWhenDown('redis', () => this.redis.check()));
    if (this.etcd.configured) checks.push(degradedWhenDown('etcd', () => this.etcd.check()));
    let result: HealthCheckResult;
    try {
      result = await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
      res.status(503);
    }
    this.noteTransition(result);
    return result;
  }

  @Get('nodes')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Each Lightning node: reachable, synced, channels, whether it can issue' })
  @ApiOkResponse({ type: NodesView })
  async nodes(): Promise<{ replica: ReplicaStatus; nodes: NodeHealthView[] }> {
    return { replica: await this.replica.status(), nodes: this.lightning.health().map(nodeHealthView) };
  }

  @Get('replica')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "This replica's role: leader of the singleton work or not" })
  @ApiOkResponse({ type: ReplicaView })
  replicaStatus(): Promise<ReplicaStatus> {
    return this.replica.status();
  }

  /** Logs readiness changes (and degraded dependencies) once, not every probe. */
  private noteTransition(result: HealthCheckResult): void {
    const ready = result.status === 'ok' || result.status === 'degraded';
    const degraded = Object.entries(result.details ?? {})
      .filter(([, v]) => (v as { status?: string }).status === 'degraded')
      .map(([key, v]) => `${key}: ${(v as { message?: string }).message ?? 'down'}`);
    this.logger.debug({ ready, down: Object.keys(result.error ?? {}), degraded }, 'readiness probe');
    const degradedKey = degraded.map((d) => d.split(':')[0]).join(',');
    if (degradedKey !== this.lastDegraded) {
      if (degraded.length) this.logger.warn({ degraded }, 'a coordination dependency is down; this replica still serves checkouts');
      else if (this.lastDegraded) this.logger.log('coordination dependencies answer again');
      this.lastDegraded = degradedKey;
    }
    if (ready === this.lastReady) return;
    this.lastReady = ready;
    if (ready) this.logger.log('replica is ready');
    else
      this.logger.warn(
        { down: Object.entries(result.error ?? {}).map(([key, v]) => `${key}: ${(v as { message?: string }).message ?? 'down'}`) },
        'replica is not ready',
      );
  }
}
