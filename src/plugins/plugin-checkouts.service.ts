import { Injectable } from '@nestjs/common';
import { Checkout } from '../checkout/checkout.entity';
import { CreateCheckoutDto } from '../checkout/checkout.dto';
import { CheckoutService } from '../checkout/checkout.service';
import { CheckoutStatus } from '../checkout/checkout-status';
import { CheckoutTransitions } from '../checkout/checkout-transitions';
import { StoresService } from '../stores/stores.service';
import { PluginOrderLinks } from './plugin-order-links.service';

export interface OrderCheckoutRequest {
  plugin: string;
  storeId: string;
  /** The platform's order id: one checkout per (plugin, store, order). */
  orderId: string;
  checkout: CreateCheckoutDto;
  details?: Record<string, unknown>;
}

/** Creates the checkout for a platform order exactly once, however often the platform repeats the webhook. */
@Injectable()
export class PluginCheckouts {
  constructor(
    private readonly checkouts: CheckoutService,
    private readonly stores: StoresService,
    private readonly links: PluginOrderLinks,
    private readonly transitions: CheckoutTransitions,
  ) {}

  async forOrder(request: OrderCheckoutRequest): Promise<{ checkout: Checkout; created: boolean }> {
    const existing = await this.links.findByOrder(request.plugin, request.storeId, request.orderId);
    if (existing) return { checkout: await this.checkouts.getPublic(existing.checkoutId), created: false };
    const store = await this.stores.get(request.storeId);
    // The idempotency key covers a crash between creating the checkout and writing the link.
    const { checkout, replayed } = await this.checkouts.create(store, request.checkout, `plugin:${request.plugin}:${request.orderId}`);
    const link = await this.links.link(request.plugin, request.storeId, request.orderId, checkout.id, request.details ?? null);
    if (link.checkoutId !== checkout.id) return { checkout: await this.checkouts.getPublic(link.checkoutId), created: false };
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
