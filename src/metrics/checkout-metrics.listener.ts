import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { CheckoutEventsBus } from '../checkout/checkout-events.bus';
import { CheckoutEventType } from '../checkout/checkout-status';
import { CheckoutView } from '../checkout/checkout.view';
import { MetricsService } from './metrics.service';

const STATUS_OF: Record<CheckoutEventType, string> = {
  [CheckoutEventType.InvoiceCreated]: 'New',
  [CheckoutEventType.InvoiceSettled]: 'Settled',
  [CheckoutEventType.InvoiceExpired]: 'Expired',
  [CheckoutEventType.InvoiceInvalid]: 'Invalid',
  [CheckoutEventType.InvoicePaidAfterExpiration]: 'PaidLate',
  [CheckoutEventType.InvoicePaidPartial]: 'PaidPartial',
};

/**
 * Counts committed checkout events from the in-process bus. The bus publishes right after the
 * commit, so "now" is the commit time for settle→event latency (the DB timestamp can be
 * second-granular on SQLite).
 */
@Injectable()
export class CheckoutMetricsListener implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;

  constructor(
    private readonly bus: CheckoutEventsBus,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.bus.events$.subscribe((event) => this.count(event));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  private count(event: CheckoutEvent): void {
    const status = STATUS_OF[event.type];
    if (status) this.metrics.statusChanged(status);
    const checkout = (event.payload as { checkout?: Partial<CheckoutView> } | undefined)?.checkout;
    if (event.type === CheckoutEventType.InvoiceCreated) this.metrics.checkoutCreated(checkout?.nodeName ?? 'unknown');
    if ((event.type === CheckoutEventType.InvoiceSettled || event.type === CheckoutEventType.InvoicePaidAfterExpiration) && checkout?.settledAt) {
      this.metrics.observeSettleToEvent((Date.now() - new Date(checkout.settledAt).getTime()) / 1000);
    }
  }
}
