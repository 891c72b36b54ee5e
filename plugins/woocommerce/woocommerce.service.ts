import { HttpStatus, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  baseUrl,
  CHECKOUT_EVENT_TYPES,
  CheckoutEventType,
  parsePlatformPayload,
  PermanentPluginError,
  type PluginCheckoutEvent,
  PluginCheckouts,
  PluginEvents,
  PluginOrderLinks,
  PluginServer,
  ProblemException,
  RetryablePluginError,
} from '../../src/plugin-api';
import { createHash, timingSafeEqual } from 'node:crypto';
import { WooOrderPayload } from './woocommerce-order.dto';
import { WooCommerceClient } from './woocommerce.client';
import { WooCommerceOptions, WooCommerceSite } from './woocommerce.options';

export const PLUGIN = 'woocommerce';

/** Order statuses after which a Lightning payment for the order must no longer be possible. */
const CLOSED_STATUSES = ['cancelled', 'refunded', 'failed', 'processing', 'completed', 'trash'];

export type OrderOutcome = { result: 'checkout'; checkoutId: string; checkoutLink: string; created: boolean } | { result: 'ignored'; reason: string };

/** Turns pending Lightning orders into checkouts, and checkout events into order updates. */
@Injectable()
export class WooCommerceService implements OnModuleInit {
  private readonly logger = new Logger('WooCommercePlugin');

  constructor(
    private readonly options: WooCommerceOptions,
    private readonly client: WooCommerceClient,
    private readonly checkouts: PluginCheckouts,
    private readonly links: PluginOrderLinks,
    private readonly events: PluginEvents,
    private readonly server: PluginServer,
  ) {}

  onModuleInit(): void {
    for (const site of this.options.sites) {
      const url = new URL(site.url);
      if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
        this.logger.warn({ storeId: site.storeId, url: site.url }, 'WooCommerce site over plain http: the REST API key travels unencrypted; use https');
      }
    }
    this.events.subscribe({
      consumer: PLUGIN,
      types: CHECKOUT_EVENT_TYPES,
      handle: (event) => this.onCheckoutEvent(event),
    });
  }

  site(storeId: string): WooCommerceSite {
    const site = this.options.sites.find((s) => s.storeId === storeId);
    if (!site) throw new ProblemException(HttpStatus.NOT_FOUND, 'store_not_configured', `No WooCommerce site is configured for store ${storeId}.`);
    return site;
  }

  async onOrder(site: WooCommerceSite, order: WooOrderPayload): Promise<OrderOutcome> {
    if (order.payment_method !== site.gatewayId) return { result: 'ignored', reason: `payment method is not ${site.gatewayId}` };
    if (CLOSED_STATUSES.includes(order.status)) {
      // Cancelled, or paid some other way (our own "processing" update lands here too, harmlessly):
      // an open checkout for it must not take the customer's money as well.
      const closed = await this.checkouts.closeForOrder(PLUGIN, site.storeId, String(order.id));
      return closed
        ? { result: 'checkout', checkoutId: closed.id, checkoutLink: this.checkoutLink(closed.id), created: false }
        : { result: 'ignored', reason: `order status is ${order.status}` };
    }
    if (order.status !== 'pending') {
      const existing = await this.links.findByOrder(PLUGIN, site.storeId, String(order.id));
      if (!existing) return { result: 'ignored', reason: `order status is ${order.status}` };
    }
    const thanks = order.order_key ? `${baseUrl(site.url)}/checkout/order-received/${order.id}/?key=${encodeURIComponent(order.order_key)}` : undefined;
    const { checkout, created } = await this.checkouts.forOrder({
      plugin: PLUGIN,
      storeId: site.storeId,
      orderId: String(order.id),
      checkout: {
        amount: order.total,
        currency: order.currency,
        orderId: String(order.id),
        description: `Order #${order.number ?? order.id}`,
        redirectUrl: thanks,
        customerId: order.customer_id ? `wc-${order.customer_id}` : undefined,
        metadata: { source: PLUGIN, orderId: String(order.id), orderNumber: order.number ?? String(order.id) },
      },
      details: { number: order.number ?? null, orderKey: order.order_key ?? null },
      repriceOpenCheckout: true,
    });
    if (created) this.logger.log({ storeId: site.storeId, orderId: order.id, checkoutId: checkout.id }, 'checkout created for WooCommerce order');
    return { result: 'checkout', checkoutId: checkout.id, checkoutLink: this.checkoutLink(checkout.id), created };
  }

  /**
   * The checkout for `/pay/:storeId/:orderId?key=<order_key>`: the order key (WooCommerce's
   * per-order secret, in every customer-facing order URL) proves the visitor's right to the order.
   * When the webhook has not been seen (yet), the order is fetched over REST and the checkout made now.
   */
  async checkoutForVisitor(site: WooCommerceSite, orderId: string, key: string): Promise<string> {
    const notFound = new ProblemException(HttpStatus.NOT_FOUND, 'order_not_found', 'No payable order matches this link.');
    if (!/^\d{1,20}$/.test(orderId) || !key) throw notFound;
    const link = await this.links.findByOrder(PLUGIN, site.storeId, orderId);
    if (link) {
      const orderKey = link.details?.orderKey;
      if (typeof orderKey !== 'string' || !sameSecret(orderKey, key)) throw notFound;
      return link.checkoutId;
    }
    let order: WooOrderPayload;
    try {
      order = parsePlatformPayload(WooOrderPayload, await this.client.getOrder(site, orderId));
    } catch (err) {
      this.logger.warn({ storeId: site.storeId, orderId, error: (err as Error).message }, 'could not fetch the WooCommerce order for a payment link');
      throw notFound;
    }
    if (!order.order_key || !sameSecret(order.order_key, key)) throw notFound;
    const outcome = await this.onOrder(site, order);
    if (outcome.result !== 'checkout')
      throw new ProblemException(HttpStatus.CONFLICT, 'order_not_payable', `This order cannot be paid over Lightning: ${outcome.reason}.`);
    return outcome.checkoutId;
  }

  closeForOrder(site: WooCommerceSite, orderId: string) {
    return this.checkouts.closeForOrder(PLUGIN, site.storeId, orderId);
  }

  checkoutLink(checkoutId: string): string {
    return this.server.checkoutLink(checkoutId);
  }

  private async onCheckoutEvent(event: PluginCheckoutEvent): Promise<void> {
    // Cheap filter first; the link below, written only after a signed webhook, is what authorizes the update.
    if (event.checkout.metadata?.source !== PLUGIN) return;
    const resolved = await this.links.resolve(PLUGIN, event.storeId, event.checkoutId, event.checkout.metadata?.orderId);
    if (!resolved) {
      // The link is written just after the checkout: give it a moment, then treat the checkout as not ours.
      if (event.attempt < 5) throw new RetryablePluginError('order link not written yet');
      return;
    }
    const { link, current } = resolved;
    const site = this.options.sites.find((s) => s.storeId === link.storeId);
    if (!site) throw new PermanentPluginError(`no WooCommerce site configured for store ${link.storeId} any more`);
    const orderId = link.orderId;
    const hash = event.checkout.paymentHash;
    if (!current) {
      // Replaced after the order total changed: only a payment of the old invoice still matters.
      if (event.type === CheckoutEventType.InvoiceSettled || event.type === CheckoutEventType.InvoicePaidAfterExpiration) {
        const sats = event.checkout.amountPaidSats ?? event.checkout.amountSats;
        const order = await this.client.getOrder(site, orderId);
        if (['pending', 'cancelled', 'failed'].includes(order.status)) await this.client.updateOrder(site, orderId, { status: 'on-hold' });
        await this.client.addNote(
          site,
          orderId,
          `Paid ${sats} sats over Lightning on an invoice replaced after the order total changed (payment hash ${hash}). Check the amount, then complete or refund the order.`,
          false,
        );
      }
      return;
    }
    switch (event.type) {
      case CheckoutEventType.InvoiceCreated:
        if (this.options.addCheckoutNote) await this.client.addNote(site, orderId, `Pay with Bitcoin Lightning: ${this.checkoutLink(event.checkoutId)}`, true);
        return;
      case CheckoutEventType.InvoiceSettled:
        // set_paid runs $order->payment_complete(), which WooCommerce makes a no-op on an order already paid.
        await this.client.updateOrder(site, orderId, { status: 'processing', set_paid: true, transaction_id: hash });
        this.logger.log({ storeId: site.storeId, orderId, checkoutId: event.checkoutId }, 'WooCommerce order marked paid');
        return;
      case CheckoutEventType.InvoiceExpired:
      case CheckoutEventType.InvoiceInvalid: {
        const order = await this.client.getOrder(site, orderId);
        // Only an order still waiting for this payment is touched: it may have been paid another way.
        if (order.status === 'pending') await this.client.updateOrder(site, orderId, { status: this.options.expiredStatus });
        return;
      }
      case CheckoutEventType.InvoicePaidAfterExpiration: {
        const order = await this.client.getOrder(site, orderId);
        const sats = event.checkout.amountPaidSats ?? event.checkout.amountSats;
        if (['pending', 'cancelled', 'failed'].includes(order.status)) {
          // Stock may have been released meanwhile: the merchant decides, so on-hold rather than processing.
          await this.client.updateOrder(site, orderId, { status: 'on-hold', transaction_id: hash });
        }
        await this.client.addNote(
          site,
          orderId,
          `Paid ${sats} sats over Lightning after the invoice had expired (payment hash ${hash}). Check stock, then complete or refund the order.`,
          false,
        );
        return;
      }
    }
  }
}

function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison itself leaks nothing.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
