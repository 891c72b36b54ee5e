import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, In, LessThan, type QueryDeepPartialEntity } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { insertRow } from '../database/fast-insert';
import { UnitOfWork } from '../database/unit-of-work';
import { Checkout } from './checkout.entity';
import { CheckoutEvent } from './checkout-event.entity';
import { CheckoutEventsBus } from './checkout-events.bus';
import { AdditionalStatus, CheckoutEventType, CheckoutStatus } from './checkout-status';
import { checkoutView } from './checkout.view';

export interface PaymentReport {
  paymentHash: string;
  amountPaidSats: number;
  settledAt: Date;
}

export type PaymentOutcome = 'settled' | 'paid_late' | 'already_applied' | 'unknown_invoice';

/**
 * The checkout state machine: New → Settled | Expired | Invalid, plus PaidLate. Every transition
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
  ) {}

  async applyPayment(report: PaymentReport): Promise<PaymentOutcome> {
    const { outcome, events } = await this.uow.run(async (m) => {
      const paid = { amountPaidSats: report.amountPaidSats, settledAt: report.settledAt };
      const settled = await this.conditionalUpdate(m, { paymentHash: report.paymentHash }, [CheckoutStatus.New], { status: CheckoutStatus.Settled, ...paid });
      if (settled) return { outcome: 'settled' as const, events: [await this.record(m, settled, CheckoutEventType.InvoiceSettled)] };
      const late = await this.conditionalUpdate(
        m,
        { paymentHash: report.paymentHash, additionalStatus: AdditionalStatus.None },
        [CheckoutStatus.Expired, CheckoutStatus.Invalid],
        { additionalStatus: AdditionalStatus.PaidLate, ...paid },
      );
      if (late) return { outcome: 'paid_late' as const, events: [await this.record(m, late, CheckoutEventType.InvoicePaidAfterExpiration)] };
      const exists = await m.exists(Checkout, { where: { paymentHash: report.paymentHash } });
      return { outcome: exists ? ('already_applied' as const) : ('unknown_invoice' as const), events: [] };
    });
    this.bus.publish(events);
    if (outcome === 'paid_late') this.logger.warn({ paymentHash: report.paymentHash }, 'payment arrived after the checkout expired: recorded as PaidLate');
    return outcome;
  }

  async expire(id: string): Promise<boolean> {
    return this.finish(id, CheckoutStatus.Expired, CheckoutEventType.InvoiceExpired);
  }

  async invalidate(id: string): Promise<boolean> {
    return this.finish(id, CheckoutStatus.Invalid, CheckoutEventType.InvoiceInvalid);
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
    where: Partial<Pick<Checkout, 'id' | 'paymentHash' | 'additionalStatus'>>,
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
    return m.findOneOrFail(Checkout, { where: where.id ? { id: where.id } : { paymentHash: where.paymentHash } });
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
