import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, FindOptionsWhere, In, LessThan, type QueryDeepPartialEntity } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { insertRow } from '../database/fast-insert';
import { UnitOfWork } from '../database/unit-of-work';
import { LightningService } from '../lightning/lightning.service';
import { Checkout } from './checkout.entity';
import { CheckoutEvent } from './checkout-event.entity';
import { CheckoutEventsBus } from './checkout-events.bus';
import { CheckoutEventType, CheckoutStatus } from './checkout-status';
import { checkoutView } from './checkout.view';
import { paymentStep } from './payment-rule';

export interface PaymentReport {
  paymentHash: string;
  amountPaidSats: number;
  settledAt: Date;
}

export type PaymentOutcome = 'settled' | 'paid_late' | 'underpaid' | 'already_applied' | 'unknown_invoice';

/**
 * The checkout state machine: New → Settled | Expired | Invalid, plus PaidLate and PaidPartial. Every transition
 * is a conditional UPDATE (… WHERE status = 'New') in the same transaction as its outbox event,
 * so concurrent replicas and duplicate node events apply a change exactly once.
 */
@Injectable()
export class CheckoutTransitions {
  private readonly logger = new Logger(CheckoutTransitions.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly bus: CheckoutEventsBus,
    private readonly config: AppConfig,
    private readonly lightning: LightningService,
  ) {}

  /**
   * Records a payment the node reports. Only a payment of at least the amount due settles a New
   * checkout; less keeps it New and marks it PaidPartial (the amount is recorded either way). On an
   * Expired or Invalid checkout any payment is money taken, so it is recorded as PaidLate.
   */
  /**
   * Records a payment the node reports, by the rule in `paymentStep` (an underpayment is never
   * Settled). The step is decided on the row as read, then applied by an UPDATE conditioned on that
   * same state; if a concurrent transition changed it first, the decision is taken again.
   */
  async applyPayment(report: PaymentReport): Promise<PaymentOutcome> {
    const { outcome, events } = await this.uow.run(async (m) => {
      for (;;) {
        const current = await m.findOne(Checkout, {
          select: { id: true, status: true, additionalStatus: true, amountSats: true },
          where: { paymentHash: report.paymentHash },
        });
        if (!current) return { outcome: 'unknown_invoice' as const, events: [] };
        const step = paymentStep(current, report.amountPaidSats);
        if (!step) return { outcome: 'already_applied' as const, events: [] };
        const changed = await this.conditionalUpdate(m, { paymentHash: report.paymentHash, additionalStatus: current.additionalStatus }, [current.status], {
          status: step.status,
          additionalStatus: step.additionalStatus,
          amountPaidSats: report.amountPaidSats,
          settledAt: report.settledAt,
        });
        if (changed) return { outcome: step.outcome, events: [await this.record(m, changed, step.event)] };
      }
    });
    this.bus.publish(events);
    if (outcome === 'paid_late') this.logger.warn({ paymentHash: report.paymentHash }, 'payment arrived after the checkout expired: recorded as PaidLate');
    if (outcome === 'underpaid')
      this.logger.warn(
        { paymentHash: report.paymentHash, amountPaidSats: report.amountPaidSats },
        'payment below the amount due: recorded as PaidPartial, not Settled',
      );
    return outcome;
  }

  async expire(id: string): Promise<boolean> {
    return this.finish(id, CheckoutStatus.Expired, CheckoutEventType.InvoiceExpired);
  }

  /**
   * Cancels a New checkout, then its invoice on the node that issued it, so the customer can no
   * longer pay it. The checkout is marked `invoiceCancelPending` in the same transaction as the
   * status change; the mark is cleared once the node has canceled the invoice, and reconciliation
   * retries while it is not (node down). A payment that won the race is recorded as PaidLate.
   */
  async invalidate(id: string): Promise<boolean> {
    const events = await this.uow.run(async (m) => {
      const changed = await this.conditionalUpdate(m, { id }, [CheckoutStatus.New], { status: CheckoutStatus.Invalid, invoiceCancelPending: true });
      return changed ? [await this.record(m, changed, CheckoutEventType.InvoiceInvalid)] : [];
    });
    this.bus.publish(events);
    if (events.length === 0) return false;
    const checkout = events[0].payload.checkout as { paymentHash: string; nodeName: string };
    await this.cancelOnNode({ id, paymentHash: checkout.paymentHash, nodeName: checkout.nodeName }).catch((err: Error) =>
      this.logger.warn({ checkoutId: id, err: err.message }, 'could not cancel the invoice on its node yet; reconciliation will retry'),
    );
    return true;
  }

  /**
   * Cancels the invoice of a canceled checkout on its node and clears the pending mark. When the
   * node will not cancel it, looks it up: if it was paid, the payment is applied (PaidLate) and the
   * mark cleared; otherwise the error is passed on and the mark stays for the next try.
   */
  async cancelOnNode(checkout: Pick<Checkout, 'id' | 'paymentHash' | 'nodeName'>): Promise<void> {
    const ref = { paymentHash: checkout.paymentHash, nodeName: checkout.nodeName };
    try {
      await this.lightning.cancelInvoice(ref);
    } catch (err) {
      const state = await this.lightning.lookupInvoice(ref).catch(() => null);
      if (!state?.settled && !state?.canceled) throw err;
      if (state.settled)
        await this.applyPayment({ paymentHash: ref.paymentHash, amountPaidSats: state.amountPaidSats ?? 0, settledAt: state.settledAt ?? new Date() });
    }
    await this.uow.run((m) => m.update(Checkout, { id: checkout.id, invoiceCancelPending: true }, { invoiceCancelPending: false }));
  }

  /** Expires every New checkout past its expiry; safe to run on several replicas at once. */
  async expireDue(now = new Date(), batch = 200): Promise<number> {
    const due = await this.uow.dataSource.getRepository(Checkout).find({
      select: { id: true },
      where: { status: CheckoutStatus.New, expiresAt: LessThan(now) },
      order: { expiresAt: 'ASC' },
      take: batch,
    });
    let expired = 0;
    for (const { id } of due) if (await this.expire(id)) expired++;
    return expired;
  }

  /** The InvoiceCreated outbox row of a new checkout, for the caller to insert together with it. */
  createdEvent(checkout: Checkout): CheckoutEvent {
    return this.eventFor(checkout, CheckoutEventType.InvoiceCreated);
  }

  publish(events: CheckoutEvent[]): void {
    this.bus.publish(events);
  }

  private async finish(id: string, status: CheckoutStatus, type: CheckoutEventType): Promise<boolean> {
    const events = await this.uow.run(async (m) => {
      const changed = await this.conditionalUpdate(m, { id }, [CheckoutStatus.New], { status });
      return changed ? [await this.record(m, changed, type)] : [];
    });
    this.bus.publish(events);
    return events.length > 0;
  }

  private async conditionalUpdate(
    m: EntityManager,
    where: FindOptionsWhere<Checkout> & ({ id: string } | { paymentHash: string }),
    fromStatuses: CheckoutStatus[],
    set: Partial<Checkout>,
  ): Promise<Checkout | null> {
    const result = await m
      .createQueryBuilder()
      .update(Checkout)
      // `metadata` is a JSON text column (a transformer): TypeORM 1's types take it for a relation.
      .set({ ...set, updatedAt: new Date() } as QueryDeepPartialEntity<Checkout>)
      .where({ ...where, status: In(fromStatuses) })
      .execute();
    if (!result.affected) return null;
    return m.findOneOrFail(Checkout, { where: 'id' in where ? { id: where.id } : { paymentHash: where.paymentHash } });
  }

  /**
   * Inserts the outbox row. A plain INSERT: `save` would SELECT before and after it. The event
   * handed to the bus carries no `seq`/`createdAt` (the database assigns them); its listeners only
   * take it as a hint and read the outbox for anything ordered.
   */
  private async record(m: EntityManager, checkout: Checkout, type: CheckoutEventType): Promise<CheckoutEvent> {
    const event = this.eventFor(checkout, type);
    await insertRow(m, CheckoutEvent, event);
    return event;
  }

  private eventFor(checkout: Checkout, type: CheckoutEventType): CheckoutEvent {
    return Object.assign(new CheckoutEvent(), {
      id: `evt_${randomUUID().replace(/-/g, '')}`,
      storeId: checkout.storeId,
      checkoutId: checkout.id,
      type,
      payload: { checkout: checkoutView(checkout, this.config.server.publicUrl) },
      dispatchedAt: null,
    });
  }
}
