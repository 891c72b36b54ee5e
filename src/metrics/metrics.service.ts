import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type WebhookDeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'dropped' | (string & {});

/** Seconds-scale buckets: invoice creation is a local RPC, settle→event includes a notification hop. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The app's Prometheus registry and the one place other modules report to. Each module calls a
 * named method (never prom-client directly), so label sets stay consistent and bounded.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly checkoutsCreated = new Counter({
    name: 'checkouts_created_total',
    help: 'Checkouts created, by the Lightning node that issued the invoice.',
    labelNames: ['node'] as const,
    registers: [this.registry],
  });

  private readonly statusChanges = new Counter({
    name: 'checkout_status_changes_total',
    help: 'Committed checkout status changes (New, Settled, Expired, Invalid, PaidLate).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  private readonly invoiceCreation = new Histogram({
    name: 'invoice_creation_seconds',
    help: 'Time to create an invoice on a Lightning node, by node and outcome.',
    labelNames: ['node', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly settleToEvent = new Histogram({
    name: 'settle_to_event_seconds',
    help: 'Time from the invoice settling on the node to the Settled/PaidLate event being committed.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private failoverCountSource?: () => Record<string, number>;
  /** Totals last read from the source, so each scrape adds only what is new. */
  private readonly failoverTotalsSeen = new Map<string, number>();

  private readonly failovers = new Counter({
    name: 'lightning_failovers_total',
    help: 'Lightning failovers: a cluster following a new leader, or a pool skipping a failed node.',
    labelNames: ['group'] as const,
    registers: [this.registry],
    collect: () => this.collectFailoverTotals(),
  });

  private readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private databaseWriteQueueSource?: () => { depth: number; oldestWaitMs: number };

  private readonly databaseWriteQueueDepth = new Gauge({
    name: 'database_write_queue_depth',
    help: 'Units of work waiting for or holding the write transaction (SQLite: queued one at a time; PostgreSQL: in flight).',
    registers: [this.registry],
    collect: () => {
      if (this.databaseWriteQueueSource) this.databaseWriteQueueDepth.set(this.databaseWriteQueueSource().depth);
    },
  });

  private readonly databaseWriteOldestWait = new Gauge({
    name: 'database_write_queue_oldest_wait_seconds',
    help: 'How long the oldest unfinished unit of work has been waiting or running (0 when none), or since writes began failing on a busy database; readiness fails past database.readyMaxWriteWaitMs.',
    registers: [this.registry],
    collect: () => {
      if (this.databaseWriteQueueSource) this.databaseWriteOldestWait.set(this.databaseWriteQueueSource().oldestWaitMs / 1000);
    },
  });

  private readonly databaseWriteWaitSeconds = new Histogram({
    name: 'database_write_wait_seconds',
    help: 'Time from a unit of work being queued to its transaction beginning (queue and busy waits).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly scheduledJobBusyTicks = new Counter({
    name: 'scheduled_job_busy_ticks_total',
    help: 'Ticks of a scheduled job that came while its previous run was still going (skipped, or folded into one more run).',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  private webhookQueueDepthSource?: () => number | Promise<number>;
  private webhookQueueDepthFallback?: () => number | Promise<number>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const depthSource = () => this.webhookQueueDepthSource ?? this.webhookQueueDepthFallback;
    new Gauge({
      name: 'webhook_queue_depth',
      help: 'Webhook deliveries waiting to be sent (pending in the database, shared by all replicas: aggregate with max()).',
      registers: [this.registry],
      async collect() {
        const source = depthSource();
        if (!source) return;
        try {
          this.set(await source());
        } catch {
          // A broken source must not break the whole scrape; the gauge keeps its last value.
        }
      },
    });
  }

  checkoutCreated(node: string): void {
    this.checkoutsCreated.inc({ node });
  }

  statusChanged(status: string): void {
    this.statusChanges.inc({ status });
  }

  /** Starts a timer; call the returned function with the node that answered (or the backend name on failure). */
  startInvoiceTimer(): (node: string, outcome: 'ok' | 'error') => void {
    const end = this.invoiceCreation.startTimer();
    return (node, outcome) => end({ node, outcome });
  }

  observeSettleToEvent(seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.settleToEvent.observe(seconds);
  }

  /** For Lightning backends: call once per failover (new cluster leader followed, pool member skipped). */
  failover(group: string): void {
    this.failovers.inc({ group });
  }

  /**
   * Alternative to failover(): a source of running totals per group (e.g. read from the backends'
   * health), polled on scrape. Use one or the other for a given group, not both.
   */
  setFailoverCountSource(source: () => Record<string, number>): void {
    this.failoverCountSource = source;
  }

  private collectFailoverTotals(): void {
    if (!this.failoverCountSource) return;
    let totals: Record<string, number>;
    try {
      totals = this.failoverCountSource();
    } catch {
      return;
    }
    for (const [group, total] of Object.entries(totals)) {
      const seen = this.failoverTotalsSeen.get(group) ?? 0;
      if (total > seen) this.failovers.inc({ group }, total - seen);
      this.failoverTotalsSeen.set(group, Math.max(seen, total));
    }
  }

  /** For the webhook dispatcher: call once per delivery attempt. */
  webhookDelivery(outcome: WebhookDeliveryOutcome): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** For the webhook dispatcher: read on every scrape (e.g. BullMQ waiting + delayed counts). */
  setWebhookQueueDepthSource(source: () => number | Promise<number>): void {
    this.webhookQueueDepthSource = source;
  }

  /** Used until a dispatcher sets its own source (the metrics module counts pending deliveries in the database). */
  setWebhookQueueDepthFallback(source: () => number | Promise<number>): void {
    this.webhookQueueDepthFallback = source;
  }

  /** For ScheduledJobs: a tick that found the previous run still going. */
  scheduledJobBusyTick(job: string): void {
    this.scheduledJobBusyTicks.inc({ job });
  }

  /** For the unit of work: its queue, read on every scrape. */
  setDatabaseWriteQueueSource(source: () => { depth: number; oldestWaitMs: number }): void {
    this.databaseWriteQueueSource = source;
  }

  databaseWriteWait(seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.databaseWriteWaitSeconds.observe(seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
