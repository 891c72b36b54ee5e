import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Subscription } from 'rxjs';
import { Equal, In, MoreThan, Repository } from 'typeorm';
import { Checkout } from '../checkout/checkout.entity';
import { AdditionalStatus, CheckoutStatus } from '../checkout/checkout-status';
import { CheckoutTransitions } from '../checkout/checkout-transitions';
import { AppConfig } from '../config/app-config';
import { LightningService } from '../lightning/lightning.service';

export interface ReconcileResult {
  checked: number;
  applied: number;
  failed: number;
}

/**
 * Looks up every still-open invoice on the node that issued it: at start-up, after a node
 * (re)connects and periodically. Catches settlements that happened while the server or the node
 * was down; applying them goes through the same conditional transitions, so exactly once.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private timer?: NodeJS.Timeout;
  private subscription?: Subscription;
  private readonly inFlight = new Map<string, Promise<ReconcileResult>>();
  /** Turned off on replicas that are not the elected singleton. */
  enabled = true;

  constructor(
    @InjectRepository(Checkout) private readonly checkouts: Repository<Checkout>,
    private readonly lightning: LightningService,
    private readonly transitions: CheckoutTransitions,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.lightning.reconnects$.subscribe((node) => void this.reconcile(node));
    this.timer = setInterval(() => void this.reconcile(), this.config.lightning.reconcileIntervalSeconds * 1000);
    this.timer.unref();
    void this.reconcile();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
  }

  /** Coalesces concurrent requests for the same scope into one pass. */
  reconcile(nodeName?: string): Promise<ReconcileResult> {
    if (!this.enabled) return Promise.resolve({ checked: 0, applied: 0, failed: 0 });
    const key = nodeName ?? '*';
    const running = this.inFlight.get(key);
    if (running) return running;
    const pass = this.pass(nodeName).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, pass);
    return pass;
  }

  private async pass(nodeName?: string): Promise<ReconcileResult> {
    const lateSince = new Date(Date.now() - this.config.checkout.lateWindowSeconds * 1000);
    const node = nodeName ? { nodeName } : {};
    const open = await this.checkouts.find({
      select: { id: true, paymentHash: true, nodeName: true },
      where: [
        { status: CheckoutStatus.New, ...node },
        // Expired or canceled checkouts can still be paid if the node accepted the HTLC late.
        { status: In([CheckoutStatus.Expired, CheckoutStatus.Invalid]), additionalStatus: Equal(AdditionalStatus.None), expiresAt: MoreThan(lateSince), ...node },
      ],
    });
    const result: ReconcileResult = { checked: 0, applied: 0, failed: 0 };
    for (const checkout of open) {
      result.checked++;
      try {
        const state = await this.lightning.lookupInvoice({ paymentHash: checkout.paymentHash, nodeName: checkout.nodeName });
        if (!state.settled) continue;
        const outcome = await this.transitions.applyPayment({
          paymentHash: checkout.paymentHash,
          amountPaidSats: state.amountPaidSats ?? 0,
          settledAt: state.settledAt ?? new Date(),
        });
        if (outcome === 'settled' || outcome === 'paid_late') result.applied++;
      } catch (err) {
        result.failed++;
        this.logger.warn({ err: (err as Error).message, checkoutId: checkout.id, node: checkout.nodeName }, 'lookup failed during reconciliation');
      }
    }
    if (result.applied || result.failed) this.logger.log({ node: nodeName ?? 'all', ...result }, 'reconciliation pass');
    return result;
  }
}
