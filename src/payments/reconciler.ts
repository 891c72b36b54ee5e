import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Subscription } from 'rxjs';
import { Equal, FindOptionsWhere, In, MoreThan, Repository } from 'typeorm';
import { Checkout } from '../checkout/checkout.entity';
import { AdditionalStatus, CheckoutStatus } from '../checkout/checkout-status';
import { CheckoutTransitions } from '../checkout/checkout-transitions';
import { ScheduledJob, ScheduledJobs } from '../common/scheduled-job';
import { AppConfig } from '../config/app-config';
import { LightningService } from '../lightning/lightning.service';

export interface ReconcileResult {
  checked: number;
  applied: number;
  failed: number;
  /** Left for the next pass because their node stopped answering. */
  skipped: number;
}

type OpenInvoice = Pick<Checkout, 'id' | 'paymentHash' | 'nodeName' | 'invoiceCancelPending'>;

/** Lookups in flight per node: enough to get through a backlog, not enough to flood a node. */
const LOOKUP_CONCURRENCY = 4;
/** After this many failed lookups in a row a node is treated as down for the rest of the pass. */
const NODE_DOWN_AFTER_FAILURES = 2;

/**
 * Looks up every still-open invoice on the node that issued it: at start-up, after a node
 * (re)connects and periodically. Catches settlements that happened while the server or the node
 * was down; applying them goes through the same conditional transitions, so exactly once.
 * Each node gets its own pass, so a node that is down (every lookup waits for its timeout) never
 * delays the others.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private job?: ScheduledJob;
  private subscription?: Subscription;
  private readonly inFlight = new Map<string, Promise<ReconcileResult>>();
  /** Nodes asked for again while a pass was running: the pass may have started before the reconnect. */
  private readonly again = new Set<string>();
  private stopped = false;
  /** Turned off on replicas that are not the elected singleton. */
  enabled = true;

  constructor(
    @InjectRepository(Checkout) private readonly checkouts: Repository<Checkout>,
    private readonly lightning: LightningService,
    private readonly transitions: CheckoutTransitions,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.lightning.reconnects$.subscribe((node) => void this.reconcile(node).catch(() => undefined));
    this.job = this.jobs.every({ name: 'reconcile', everyMs: this.config.lightning.reconcileIntervalSeconds * 1000, run: () => this.startPasses() });
    void this.reconcile().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    void this.job?.stop();
    this.subscription?.unsubscribe();
  }

  /** Reconciles one node, or every node with open invoices (each in its own pass, in parallel). */
  async reconcile(nodeName?: string): Promise<ReconcileResult> {
    if (!this.enabled || this.stopped) return empty();
    if (nodeName) return this.reconcileNode(nodeName);
    const nodes = await this.nodesWithOpenInvoices();
    const results = await Promise.all(nodes.map((node) => this.reconcileNode(node)));
    return results.reduce(add, empty());
  }

  /**
   * The periodic tick: a pass for every node with open invoices, not awaited, so a node whose pass
   * outlasts the period holds up no other node; a node still in its pass gets one more after it.
   */
  private async startPasses(): Promise<void> {
    if (!this.enabled || this.stopped) return;
    for (const node of await this.nodesWithOpenInvoices()) void this.reconcileNode(node);
  }

  /** Coalesces requests for a node; a request during a pass schedules one more pass after it. */
  private reconcileNode(nodeName: string): Promise<ReconcileResult> {
    const running = this.inFlight.get(nodeName);
    if (running) {
      this.again.add(nodeName);
      return running;
    }
    const pass = this.nodePass(nodeName)
      .catch((err: Error) => {
        this.logger.warn({ node: nodeName, err: err.message }, 'reconciliation pass failed');
        return { ...empty(), failed: 1 };
      })
      .finally(() => {
        this.inFlight.delete(nodeName);
        if (this.again.delete(nodeName) && !this.stopped) void this.reconcileNode(nodeName);
      });
    this.inFlight.set(nodeName, pass);
    return pass;
  }

  private async nodesWithOpenInvoices(): Promise<string[]> {
    const rows = await this.checkouts.find({ select: { nodeName: true }, where: this.openWhere() });
    return [...new Set(rows.map((r) => r.nodeName))];
  }

  /**
   * New checkouts, expired or canceled ones still inside the late window (the node may accept the
   * HTLC late), and canceled ones whose invoice the node has not canceled yet.
   */
  private openWhere(nodeName?: string): FindOptionsWhere<Checkout>[] {
    const node = nodeName ? { nodeName } : {};
    return [
      { status: CheckoutStatus.New, ...node },
      { invoiceCancelPending: true, ...node },
      {
        status: In([CheckoutStatus.Expired, CheckoutStatus.Invalid]),
        additionalStatus: Equal(AdditionalStatus.None),
        expiresAt: MoreThan(this.lateSince()),
        ...node,
      },
    ];
  }

  private lateSince(): Date {
    return new Date(Date.now() - this.config.checkout.lateWindowSeconds * 1000);
  }

  private async nodePass(nodeName: string): Promise<ReconcileResult> {
    const open: OpenInvoice[] = await this.checkouts.find({
      select: { id: true, paymentHash: true, nodeName: true, invoiceCancelPending: true },
      where: this.openWhere(nodeName),
    });
    const result = empty();
    let failuresInARow = 0;
    let next = 0;
    const worker = async () => {
      while (next < open.length && !this.stopped) {
        if (failuresInARow >= NODE_DOWN_AFTER_FAILURES) {
          result.skipped += open.length - next;
          next = open.length;
          return;
        }
        const checkout = open[next++];
        result.checked++;
        try {
          if (await this.check(checkout)) result.applied++;
          failuresInARow = 0;
        } catch (err) {
          result.failed++;
          failuresInARow++;
          this.logger.warn({ err: (err as Error).message, checkoutId: checkout.id, node: nodeName }, 'lookup failed during reconciliation');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, open.length) }, worker));
    if (result.applied || result.failed || result.skipped) this.logger.log({ node: nodeName, ...result }, 'reconciliation pass');
    return result;
  }

  /**
   * True when this lookup found and applied a payment the server had not seen. A checkout canceled
   * here whose invoice is still open on the node gets it canceled there now.
   */
  private async check(checkout: OpenInvoice): Promise<boolean> {
    const state = await this.lightning.lookupInvoice({ paymentHash: checkout.paymentHash, nodeName: checkout.nodeName });
    if (checkout.invoiceCancelPending) {
      await this.transitions.cancelOnNode(checkout);
      if (!state.settled) this.logger.log({ checkoutId: checkout.id, node: checkout.nodeName }, 'reconciliation canceled an invoice its node had missed');
    }
    if (!state.settled) return false;
    const outcome = await this.transitions.applyPayment({
      paymentHash: checkout.paymentHash,
      amountPaidSats: state.amountPaidSats ?? 0,
      settledAt: state.settledAt ?? new Date(),
    });
    if (outcome === 'settled' || outcome === 'paid_late') {
      this.logger.log({ checkoutId: checkout.id, node: checkout.nodeName, outcome }, 'reconciliation found a payment the stream had not delivered');
      return true;
    }
    return false;
  }
}

function empty(): ReconcileResult {
  return { checked: 0, applied: 0, failed: 0, skipped: 0 };
}

function add(a: ReconcileResult, b: ReconcileResult): ReconcileResult {
  return { checked: a.checked + b.checked, applied: a.applied + b.applied, failed: a.failed + b.failed, skipped: a.skipped + b.skipped };
}
