import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { concatMap, Subscription } from 'rxjs';
import { CheckoutTransitions } from '../checkout/checkout-transitions';
import { LightningService } from '../lightning/lightning.service';
import { Settlement } from '../lightning/lightning-backend';

/** Applies settlements as the nodes stream them; duplicates are harmless (conditional updates). */
@Injectable()
export class SettlementWatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SettlementWatcher.name);
  private subscription?: Subscription;

  constructor(
    private readonly lightning: LightningService,
    private readonly transitions: CheckoutTransitions,
  ) {}

  onModuleInit(): void {
    this.subscription = this.lightning.settlements$.pipe(concatMap((s) => this.apply(s))).subscribe();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private async apply(settlement: Settlement): Promise<void> {
    try {
      const outcome = await this.transitions.applyPayment(settlement);
      this.logger.log({ paymentHash: settlement.paymentHash, node: settlement.nodeName, outcome }, 'settlement seen');
    } catch (err) {
      // Reconciliation looks the invoice up again later, so a failed write here is not a lost payment.
      this.logger.error({ err, paymentHash: settlement.paymentHash }, 'could not apply settlement; reconciliation will retry');
    }
  }
}
