import { Injectable } from '@nestjs/common';
import { Checkout } from '../checkout/checkout.entity';
import { CreateCheckoutDto } from '../checkout/checkout.dto';
import { CheckoutService } from '../checkout/checkout.service';
import { CheckoutStatus } from '../checkout/checkout-status';
import { CheckoutTransitions } from '../checkout/checkout-transitions';
import { StoresService } from '../stores/stores.service';
import { PluginOrderLink } from './plugin-order-link.entity';
import { PluginOrderLinks } from './plugin-order-links.service';
import { normalizeDecimal } from '../rates/decimal';
import { ProblemException } from '../common/problem';
import { UnitOfWork } from '../database/unit-of-work';

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

/** Creates the checkout for a platform order exactly once, however often the platform repeats the webhook. */
@Injectable()
export class PluginCheckouts {
  constructor(
    private readonly checkouts: CheckoutService,
    private readonly stores: StoresService,
    private readonly links: PluginOrderLinks,
    private readonly transitions: CheckoutTransitions,
    private readonly uow: UnitOfWork,
  ) {}

  async forOrder(request: OrderCheckoutRequest): Promise<{ checkout: Checkout; created: boolean }> {
    const existing = await this.links.findByOrder(request.plugin, request.storeId, request.orderId);
    if (existing) {
      const current = await this.checkouts.getPublic(existing.checkoutId);
      if (!request.repriceOpenCheckout || current.status !== CheckoutStatus.New || samePrice(current, request.checkout)) return { checkout: current, created: false };
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
      const orphan = err instanceof ProblemException && err.code === 'idempotency_key_reused' ? await this.uow.dataSource.getRepository(Checkout).findOne({ where: { storeId: store.id, idempotencyKey: key } }) : null;
      if (!orphan) throw err;
      await this.links.link(request.plugin, request.storeId, request.orderId, orphan.id, request.details ?? null);
      return this.forOrder(request);
    }
    const { checkout, replayed } = created;
    const link = await this.links.link(request.plugin, request.storeId, request.orderId, checkout.id, request.details ?? null);
    if (link.checkoutId !== checkout.id) return { checkout: await this.checkouts.getPublic(link.checkoutId), created: false };
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
      return { checkout: await this.checkouts.getPublic(now?.checkoutId ?? checkout.id), created: false };
    }
    // Conditional: an old invoice paid a moment ago stays paid, and plugins report it on the order.
    await this.transitions.invalidate(current.id);
    return { checkout, created: !replayed };
  }

  /**
   * The order was cancelled or paid some other way on the platform: its still-open checkout is
   * invalidated so the customer cannot pay it too. Returns the checkout, or null when there is none.
   */
  async closeForOrder(plugin: string, storeId: string, orderId: string): Promise<Checkout | null> {
    const link = await this.links.findByOrder(plugin, storeId, orderId);
    if (!link) return null;
    const checkout = await this.checkouts.getPublic(link.checkoutId);
    if (checkout.status !== CheckoutStatus.New) return checkout;
    await this.transitions.invalidate(checkout.id);
    return this.checkouts.getPublic(checkout.id);
  }
}

function samePrice(checkout: Checkout, dto: CreateCheckoutDto): boolean {
  const currency = (dto.currency ?? 'SATS').toUpperCase();
  return checkout.currency === (currency === 'SAT' ? 'SATS' : currency) && checkout.amount === normalizeDecimal(String(dto.amount));
}
