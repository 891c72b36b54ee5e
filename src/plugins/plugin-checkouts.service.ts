import { Injectable } from '@nestjs/common';
import { Checkout } from '../checkout/checkout.entity';
import { CreateCheckoutDto } from '../checkout/checkout.dto';
import { CheckoutRequest, CheckoutService } from '../checkout/checkout.service';
import { CheckoutStatus } from '../checkout/checkout-status';
import { CheckoutTransitions } from '../checkout/checkout-transitions';
import { StoresService } from '../stores/stores.service';
import { PluginOrderLink } from './plugin-order-link.entity';
import { PluginOrderLinks } from './plugin-order-links.service';
import { normalizeDecimal } from '../rates/decimal';
import { ProblemException } from '../common/problem';
import { UnitOfWork } from '../database/unit-of-work';
import type { CheckoutRecord, StoreView } from '../plugin-api/views';
import { CheckoutFilter, checkoutFilterWhere } from './plugin-checkout-filter';

export interface OrderCheckoutRequest {
  plugin: string;
  storeId: string;
  /** The platform's order id: one checkout per (plugin, store, order). */
  orderId: string;
  checkout: CreateCheckoutDto;
  details?: Record<string, unknown>;
  /**
   * When the order's price changed while its checkout is unpaid (a merchant edited the order),
   * invalidate that checkout and link a new one at the new price, so the customer never pays the
   * old amount for the new order.
   */
  repriceOpenCheckout?: boolean;
}

/**
 * Plugins' door to checkouts: the checkout for a platform order, created exactly once however often
 * the platform repeats the webhook; and reads, searches and changes scoped to one store.
 */
@Injectable()
export class PluginCheckouts {
  constructor(
    private readonly checkouts: CheckoutService,
    private readonly stores: StoresService,
    private readonly links: PluginOrderLinks,
    private readonly transitions: CheckoutTransitions,
    private readonly uow: UnitOfWork,
  ) {}

  private get repo() {
    return this.uow.dataSource.getRepository(Checkout);
  }

  async forOrder(request: OrderCheckoutRequest): Promise<{ checkout: CheckoutRecord; created: boolean }> {
    const existing = await this.links.findByOrder(request.plugin, request.storeId, request.orderId);
    if (existing) {
      const current = await this.checkouts.get({ id: request.storeId }, existing.checkoutId);
      if (!request.repriceOpenCheckout || current.status !== CheckoutStatus.New || samePrice(current, request.checkout))
        return { checkout: current, created: false };
      return this.reprice(request, existing, current);
    }
    const store = await this.stores.get(request.storeId);
    // The idempotency key covers a crash between creating the checkout and writing the link.
    const key = `plugin:${request.plugin}:${request.orderId}`;
    let created: { checkout: Checkout; replayed: boolean };
    try {
      created = await this.checkouts.create(store, request.checkout, key);
    } catch (err) {
      // That crash, and then the order changed: adopt the orphan checkout, then reprice it as usual.
      const orphan =
        err instanceof ProblemException && err.code === 'idempotency_key_reused'
          ? await this.repo.findOne({ where: { storeId: store.id, idempotencyKey: key } })
          : null;
      if (!orphan) throw err;
      await this.links.link(request.plugin, request.storeId, request.orderId, orphan.id, request.details ?? null);
      return this.forOrder(request);
    }
    const { checkout, replayed } = created;
    const link = await this.links.link(request.plugin, request.storeId, request.orderId, checkout.id, request.details ?? null);
    if (link.checkoutId !== checkout.id) return { checkout: await this.checkouts.get({ id: request.storeId }, link.checkoutId), created: false };
    return { checkout, created: !replayed };
  }

  /**
   * New checkout first, then the link, then the old checkout is invalidated: by the time the old
   * checkout's InvoiceInvalid event exists, the link already names the new one, so no plugin
   * mistakes it for the order being abandoned. Each step is safe to repeat after a crash.
   */
  private async reprice(request: OrderCheckoutRequest, link: PluginOrderLink, current: Checkout): Promise<{ checkout: Checkout; created: boolean }> {
    const store = await this.stores.get(request.storeId);
    // Derived from the replaced checkout, so concurrent duplicates of this update converge on one.
    const { checkout, replayed } = await this.checkouts.create(store, request.checkout, `plugin:${request.plugin}:${request.orderId}:after:${current.id}`);
    if (!(await this.links.replace(link, checkout.id))) {
      const now = await this.links.findByOrder(request.plugin, request.storeId, request.orderId);
      return { checkout: await this.checkouts.get({ id: request.storeId }, now?.checkoutId ?? checkout.id), created: false };
    }
    // Conditional: an old invoice paid a moment ago stays paid, and plugins report it on the order.
    await this.transitions.invalidate(current.id);
    return { checkout, created: !replayed };
  }

  /**
   * The order was cancelled or paid some other way on the platform: its still-open checkout is
   * invalidated so the customer cannot pay it too. Returns the checkout, or null when there is none.
   */
  async closeForOrder(plugin: string, storeId: string, orderId: string): Promise<CheckoutRecord | null> {
    const link = await this.links.findByOrder(plugin, storeId, orderId);
    if (!link) return null;
    const checkout = await this.checkouts.get({ id: storeId }, link.checkoutId);
    if (checkout.status !== CheckoutStatus.New) return checkout;
    await this.transitions.invalidate(checkout.id);
    return this.checkouts.get({ id: storeId }, checkout.id);
  }

  /** The checkout currently linked to a platform order, or null. */
  async findByOrder(plugin: string, storeId: string, orderId: string): Promise<CheckoutRecord | null> {
    const link = await this.links.findByOrder(plugin, storeId, orderId);
    return link ? this.checkouts.get({ id: storeId }, link.checkoutId) : null;
  }

  /**
   * A checkout not tied to a platform order (an API compatible with another server's creates them
   * as its clients ask). `replayed`: an earlier request with this idempotency key created it.
   */
  create(store: StoreView, request: CheckoutRequest, idempotencyKey?: string): Promise<{ checkout: CheckoutRecord; replayed: boolean }> {
    return this.checkouts.create(store, request, idempotencyKey);
  }

  /** 404 `checkout_not_found` when the store has no such checkout. */
  get(storeId: string, id: string): Promise<CheckoutRecord> {
    return this.checkouts.get({ id: storeId }, id);
  }

  /** Newest first. */
  list(filter: CheckoutFilter): Promise<CheckoutRecord[]> {
    return this.repo.find({ where: checkoutFilterWhere(filter), order: { createdAt: 'DESC', id: 'ASC' }, skip: filter.skip ?? 0, take: filter.take ?? 100 });
  }

  /** Invalidates a New checkout (409 `checkout_not_cancelable` once paid or expired); an Invalid one stays as it is. */
  cancel(storeId: string, id: string): Promise<CheckoutRecord> {
    return this.checkouts.cancel({ id: storeId }, id);
  }

  /** Replaces the merchant's metadata and order id; nothing else about the checkout changes. */
  async setMetadata(storeId: string, id: string, changes: { metadata: Record<string, unknown> | null; orderId: string | null }): Promise<CheckoutRecord> {
    await this.update(storeId, id, changes);
    return this.get(storeId, id);
  }

  /** Archived checkouts leave plugin lists unless `includeArchived`; nothing else changes. */
  async setArchived(storeId: string, id: string, archived: boolean): Promise<CheckoutRecord> {
    await this.update(storeId, id, { archived });
    return this.get(storeId, id);
  }

  private async update(storeId: string, id: string, changes: Pick<Partial<Checkout>, 'metadata' | 'orderId' | 'archived'>): Promise<void> {
    const checkout = await this.get(storeId, id);
    await this.uow.run((m) => m.update(Checkout, { id: checkout.id, storeId }, { ...changes, updatedAt: new Date() } as Parameters<typeof m.update>[2]));
  }
}

function samePrice(checkout: Checkout, dto: CreateCheckoutDto): boolean {
  const currency = (dto.currency ?? 'SATS').toUpperCase();
  return checkout.currency === (currency === 'SAT' ? 'SATS' : currency) && checkout.amount === normalizeDecimal(String(dto.amount));
}
