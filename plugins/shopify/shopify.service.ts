import { HttpStatus, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  CHECKOUT_EVENT_TYPES,
  CheckoutEventType,
  PermanentPluginError,
  type PluginCheckoutEvent,
  PluginCheckouts,
  PluginEvents,
  PluginOrderLinks,
  PluginServer,
  ProblemException,
  RetryablePluginError,
} from '../../src/plugin-api';
import { ShopifyAdminClient } from './shopify-admin.client';
import { orderGid, ShopifyOrderPayload } from './shopify-order.dto';
import { ShopifyOptions, ShopifyShop } from './shopify.options';

export const PLUGIN = 'shopify';

export type ShopifyOrderOutcome = { result: 'checkout'; checkoutId: string; checkoutLink: string; created: boolean } | { result: 'ignored'; reason: string };

/** Shopify orders placed with the manual "Bitcoin Lightning" method become checkouts; payment marks them paid. */
@Injectable()
export class ShopifyService implements OnModuleInit {
  private readonly logger = new Logger('ShopifyPlugin');

  constructor(
    private readonly options: ShopifyOptions,
    private readonly admin: ShopifyAdminClient,
    private readonly checkouts: PluginCheckouts,
    private readonly links: PluginOrderLinks,
    private readonly events: PluginEvents,
    private readonly server: PluginServer,
  ) {}

  onModuleInit(): void {
    this.events.subscribe({
      consumer: PLUGIN,
      types: CHECKOUT_EVENT_TYPES,
      handle: (event) => this.onCheckoutEvent(event),
    });
  }

  shop(storeId: string): ShopifyShop {
    const shop = this.options.shops.find((s) => s.storeId === storeId);
    if (!shop) throw new ProblemException(HttpStatus.NOT_FOUND, 'store_not_configured', `No Shopify shop is configured for store ${storeId}.`);
    return shop;
  }

  async onOrderCreated(shop: ShopifyShop, order: ShopifyOrderPayload): Promise<ShopifyOrderOutcome> {
    const gateway = shop.gatewayName.toLowerCase();
    if (!order.payment_gateway_names.some((g) => g.toLowerCase() === gateway))
      return { result: 'ignored', reason: `payment gateway is not ${shop.gatewayName}` };
    if (order.financial_status !== 'pending') return { result: 'ignored', reason: `financial status is ${order.financial_status}` };
    const { checkout, created } = await this.checkouts.forOrder({
      plugin: PLUGIN,
      storeId: shop.storeId,
      orderId: String(order.id),
      checkout: {
        amount: order.total_price,
        currency: order.currency,
        orderId: String(order.id),
        description: `Order ${order.name ?? order.id}`,
        redirectUrl: order.order_status_url,
        customerId: order.customer?.id ? `shopify-${order.customer.id}` : undefined,
        metadata: { source: PLUGIN, orderId: String(order.id), orderName: order.name ?? null },
      },
      details: { name: order.name ?? null },
    });
    if (created) this.logger.log({ storeId: shop.storeId, orderId: order.id, checkoutId: checkout.id }, 'checkout created for Shopify order');
    return { result: 'checkout', checkoutId: checkout.id, checkoutLink: this.checkoutLink(checkout.id), created };
  }

  closeForOrder(shop: ShopifyShop, orderId: string) {
    return this.checkouts.closeForOrder(PLUGIN, shop.storeId, orderId);
  }

  async checkoutIdForOrder(storeId: string, orderId: string): Promise<string> {
    this.shop(storeId);
    const link = await this.links.findByOrder(PLUGIN, storeId, orderId);
    if (!link) throw new ProblemException(HttpStatus.NOT_FOUND, 'order_not_found', 'No Lightning checkout for this order yet; try again in a few seconds.');
    return link.checkoutId;
  }

  checkoutLink(checkoutId: string): string {
    return this.server.checkoutLink(checkoutId);
  }

  private async onCheckoutEvent(event: PluginCheckoutEvent): Promise<void> {
    if (event.checkout.metadata?.source !== PLUGIN) return;
    // Only a link written after a verified webhook may mark an order paid; checkout metadata is client-controlled.
    const link = await this.links.findByCheckout(PLUGIN, event.checkoutId);
    if (!link) {
      if (event.attempt < 5) throw new RetryablePluginError('order link not written yet');
      return;
    }
    const shop = this.options.shops.find((s) => s.storeId === link.storeId);
    if (!shop) throw new PermanentPluginError(`no Shopify shop configured for store ${link.storeId} any more`);
    const gid = orderGid(link.orderId);
    const notes = this.options.addOrderNotes;
    switch (event.type) {
      case CheckoutEventType.InvoiceCreated:
        if (notes) await this.admin.appendNote(shop, gid, `Pay with Bitcoin Lightning: ${this.checkoutLink(event.checkoutId)}`);
        return;
      case CheckoutEventType.InvoiceSettled:
        await this.admin.markAsPaid(shop, gid);
        this.logger.log({ storeId: shop.storeId, orderId: link.orderId, checkoutId: event.checkoutId }, 'Shopify order marked paid');
        return;
      case CheckoutEventType.InvoiceExpired:
      case CheckoutEventType.InvoiceInvalid:
        // Shopify keeps manual-payment orders pending; cancelling would notify and restock, so the merchant decides.
        if (notes)
          await this.admin.appendNote(shop, gid, `Lightning invoice ${event.type === CheckoutEventType.InvoiceExpired ? 'expired' : 'canceled'} unpaid.`);
        return;
      case CheckoutEventType.InvoicePaidAfterExpiration:
        // Nothing was released when the invoice expired, so the payment still pays the order.
        await this.admin.markAsPaid(shop, gid);
        if (notes) await this.admin.appendNote(shop, gid, `Paid over Lightning after the invoice had expired (payment hash ${event.checkout.paymentHash}).`);
        return;
    }
  }
}
