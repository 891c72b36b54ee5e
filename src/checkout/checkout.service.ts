import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { FindOptionsWhere, QueryFailedError, Repository } from 'typeorm';
import { canonicalJson } from '../common/canonical-json';
import { randomId } from '../common/ids';
import { NotFound, ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { insertTogether } from '../database/fast-insert';
import { UnitOfWork } from '../database/unit-of-work';
import { LightningService } from '../lightning/lightning.service';
import { IssuedInvoice } from '../lightning/lightning-backend';
import { MetricsService } from '../metrics/metrics.service';
import { minorUnits } from '../rates/currencies';
import { multiplyCeil, normalizeDecimal } from '../rates/decimal';
import { satsFor, satsPerUnit } from '../rates/exact-price';
import { RateService } from '../rates/rate.service';
import { Store } from '../stores/store.entity';
import { Checkout } from './checkout.entity';
import { CheckoutEvent } from './checkout-event.entity';
import { CreateCheckoutDto, ListCheckoutsQuery } from './checkout.dto';
import { AdditionalStatus, CheckoutStatus } from './checkout-status';
import { CheckoutTransitions } from './checkout-transitions';

/** A create request; `amount: null` asks for a top-up checkout (the customer pays what they choose). */
type RateColumns = Pick<Checkout, 'rate' | 'rateBtc' | 'rateSources' | 'rateAt' | 'rateSpreadPercent'>;
type Priced = Pick<Checkout, 'amountSats' | 'amount' | 'currency'> & RateColumns;

export type CheckoutRequest = Omit<CreateCheckoutDto, 'amount'> & { amount: string | number | null };

/** What pricing and issuing read of a store: plugins pass their read-only StoreView. */
export type StoreRef = Pick<Store, 'id' | 'name' | 'spreadPercent'>;

export interface CreateResult {
  checkout: Checkout;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}

@Injectable()
export class CheckoutService {
  private readonly logger = new Logger(CheckoutService.name);

  constructor(
    @InjectRepository(Checkout) private readonly checkouts: Repository<Checkout>,
    private readonly uow: UnitOfWork,
    private readonly lightning: LightningService,
    private readonly rates: RateService,
    private readonly transitions: CheckoutTransitions,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async create(store: StoreRef, dto: CheckoutRequest, idempotencyKey?: string): Promise<CreateResult> {
    const fingerprint = idempotencyKey ? fingerprintOf(dto) : null;
    if (idempotencyKey) {
      const existing = await this.checkouts.findOne({ where: { storeId: store.id, idempotencyKey } });
      if (existing) return { checkout: this.sameRequest(existing, fingerprint, dto), replayed: true };
    }
    const priced = this.price(store, dto);
    const expirySeconds = dto.expirySeconds ?? this.config.checkout.expirySeconds;
    const invoice = await this.issueInvoice(store, dto, priced.amountSats, expirySeconds);
    // Timestamps are set here rather than by column defaults, so the row needs no read-back.
    const now = new Date();
    const checkout = this.checkouts.create({
      id: randomId(),
      storeId: store.id,
      status: CheckoutStatus.New,
      additionalStatus: AdditionalStatus.None,
      ...priced,
      orderId: dto.orderId ?? null,
      customerId: dto.customerId ?? null,
      description: dto.description ?? null,
      redirectUrl: dto.redirectUrl ?? null,
      metadata: dto.metadata ?? null,
      idempotencyKey: idempotencyKey ?? null,
      idempotencyFingerprint: fingerprint,
      bolt11: invoice.bolt11,
      paymentHash: invoice.paymentHash,
      nodeName: invoice.nodeName,
      nodePubkey: invoice.nodePubkey,
      expiresAt: invoice.expiresAt,
      settledAt: null,
      amountPaidSats: null,
      invoiceCancelPending: false,
      archived: false,
      createdAt: now,
      updatedAt: now,
    });
    try {
      // The checkout and its outbox event, all or none. `save` would SELECT first and re-read
      // the row after; every value is known here, so neither is needed.
      const event = this.transitions.createdEvent(checkout);
      await this.uow.run((m) =>
        insertTogether(m, [
          [Checkout, checkout],
          [CheckoutEvent, event],
        ]),
      );
      this.transitions.publish([event]);
      return { checkout, replayed: false };
    } catch (err) {
      // Two requests with one Idempotency-Key raced: the loser returns the winner's checkout.
      if (idempotencyKey && err instanceof QueryFailedError) {
        const winner = await this.checkouts.findOne({ where: { storeId: store.id, idempotencyKey } });
        if (winner) return { checkout: this.sameRequest(winner, fingerprint, dto), replayed: true };
      }
      throw err;
    }
  }

  async get(store: Pick<Store, 'id'>, id: string): Promise<Checkout> {
    const checkout = await this.checkouts.findOne({ where: { id, storeId: store.id } });
    if (!checkout) throw NotFound('checkout', id);
    return checkout;
  }

  /** The hosted page's read: the unguessable id is the capability. */
  async getPublic(id: string): Promise<Checkout> {
    const checkout = typeof id === 'string' && id.length <= 32 ? await this.checkouts.findOne({ where: { id } }) : null;
    if (!checkout) throw NotFound('checkout', id);
    return checkout;
  }

  async list(store: Pick<Store, 'id'>, query: ListCheckoutsQuery): Promise<{ items: Checkout[]; total: number; limit: number; offset: number }> {
    const where: FindOptionsWhere<Checkout> = { storeId: store.id };
    if (query.status) where.status = query.status;
    if (query.orderId) where.orderId = query.orderId;
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const [items, total] = await this.checkouts.findAndCount({ where, order: { createdAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
    return { items, total, limit, offset };
  }

  async cancel(store: Pick<Store, 'id'>, id: string): Promise<Checkout> {
    const checkout = await this.get(store, id);
    if (checkout.status === CheckoutStatus.Invalid) return checkout;
    if (!(await this.transitions.invalidate(id))) {
      const now = await this.get(store, id);
      throw new ProblemException(HttpStatus.CONFLICT, 'checkout_not_cancelable', `The checkout is ${now.status}; only New checkouts can be canceled.`, {
        checkoutStatus: now.status,
      });
    }
    return this.get(store, id);
  }

  private sameRequest(existing: Checkout, fingerprint: string | null, dto: CheckoutRequest): Checkout {
    const stored = existing.idempotencyFingerprint;
    if (stored && fingerprint && stored !== fingerprint && stored !== legacyFingerprintOf(dto)) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
    }
    return existing;
  }

  /**
   * Sats for the order and, for a fiat price, the rate locked on the checkout: read from the rate
   * cache (never waiting on an exchange), with the store's spread, rounded up to whole sats.
   */
  private price(store: StoreRef, dto: CheckoutRequest): Priced {
    const given = (dto.currency ?? 'SATS').toUpperCase();
    const currency = given === 'SAT' ? 'SATS' : given;
    if (dto.amount === null) return this.priceTopUp(store, currency);
    const amount = normalizeDecimal(String(dto.amount));
    const decimals = amount.includes('.') ? amount.split('.')[1].length : 0;
    if (decimals > minorUnits(currency)) {
      const unit = minorUnits(currency);
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'invalid_amount',
        `An amount in ${currency} has at most ${unit} decimal${unit === 1 ? '' : 's'} (ISO 4217).`,
      );
    }
    let sats: bigint;
    const lock = this.lockRate(store, currency);
    if (currency === 'SATS') sats = BigInt(amount);
    else if (currency === 'BTC') sats = multiplyCeil(amount, '100000000');
    else sats = satsFor(amount, lock.price!);
    const { minAmountSats, maxAmountSats } = this.config.checkout;
    if (sats < BigInt(minAmountSats))
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'amount_too_small', `The amount is ${sats} sats; the minimum is ${minAmountSats}.`);
    if (sats > BigInt(maxAmountSats))
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'amount_too_large', `The amount is ${sats} sats; the maximum is ${maxAmountSats}.`);
    return { amountSats: Number(sats), amount, currency, ...lock.columns };
  }

  /**
   * A top-up: amountSats 0 and an amountless invoice. The rate is still locked now, so the amount
   * paid can be shown in the checkout's currency.
   */
  private priceTopUp(store: StoreRef, currency: string): Priced {
    if (!this.lightning.amountlessInvoices) {
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'amount_required',
        "This server's Lightning backend cannot issue invoices without an amount; give an amount.",
      );
    }
    return { amountSats: 0, amount: '0', currency, ...this.lockRate(store, currency).columns };
  }

  /** The rate columns of a checkout in `currency` (none for SATS) and, for fiat, the locked price of 1 BTC. */
  private lockRate(store: StoreRef, currency: string): { columns: RateColumns; price?: ReturnType<RateService['lock']>['price'] } {
    if (currency === 'SATS') return { columns: { rate: null, rateBtc: null, rateSources: null, rateAt: null, rateSpreadPercent: null } };
    if (currency === 'BTC') return { columns: { rate: '100000000', rateBtc: null, rateSources: null, rateAt: null, rateSpreadPercent: null } };
    const locked = this.rates.lock(currency, store.spreadPercent ?? '0');
    return {
      columns: {
        rate: satsPerUnit(locked.price),
        rateBtc: locked.rate,
        rateSources: locked.sources,
        rateAt: locked.at,
        rateSpreadPercent: locked.spreadPercent,
      },
      price: locked.price,
    };
  }

  private async issueInvoice(store: StoreRef, dto: CheckoutRequest, amountSats: number, expirySeconds: number): Promise<IssuedInvoice> {
    const description = dto.description ?? (dto.orderId ? `${store.name} order ${dto.orderId}` : store.name);
    const observe = this.metrics.startInvoiceTimer();
    try {
      const invoice = await this.lightning.createInvoice({
        amountSats: amountSats === 0 ? null : amountSats,
        description,
        expirySeconds,
        customerId: dto.customerId ?? null,
      });
      observe(invoice.nodeName, 'ok');
      return invoice;
    } catch (err) {
      observe(this.lightning.backend.name, 'error');
      // A problem the backend already named (the dev node's own table answering database_busy) stays itself.
      if (err instanceof ProblemException) throw err;
      // Expected during a failover or node outage; the client gets a retryable 503, so no stack trace.
      this.logger.warn({ err: (err as Error).message }, 'no Lightning node could issue the invoice');
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'lightning_unavailable', 'No Lightning node can issue an invoice right now; retry shortly.');
    }
  }
}

/** SHA-256 of the whole request in canonical JSON: nested objects count too, key order does not. */
export function fingerprintOf(dto: CheckoutRequest): string {
  return createHash('sha256').update(canonicalJson(dto)).digest('hex');
}

/**
 * What versions before the canonical fingerprint stored (nested objects reduced to the top-level
 * key names), so a client retrying across the upgrade still gets its replay. A row written since
 * holds a canonical fingerprint, which this cannot equal.
 */
function legacyFingerprintOf(dto: CheckoutRequest): string {
  return createHash('sha256')
    .update(JSON.stringify(dto, Object.keys(dto).sort()))
    .digest('hex');
}
