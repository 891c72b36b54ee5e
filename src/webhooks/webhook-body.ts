import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { CheckoutEventType } from '../checkout/checkout-status';
import { satsToBtc } from '../rates/decimal';
import type { WebhookEndpoint } from './webhook-endpoint.entity';

export interface WebhookPayload {
  /** The delivery id, equal to the `webhook-id` header. */
  id: string;
  deliveryId: string;
  webhookId: string;
  originalDeliveryId: string;
  isRedelivery: boolean;
  type: string;
  /** When the event happened, unix seconds. */
  timestamp: number;
  eventId: string;
  storeId: string;
  invoiceId: string;
  checkoutId: string;
  metadata: Record<string, unknown>;
  data: Record<string, unknown>;
}

/** One event as BTCPay Server names it, with the fields BTCPay adds for that event. */
export type BtcpayEvent = Record<string, unknown> & { type: string };

/**
 * The JSON body: Standard Webhooks' `type`/`timestamp`/`data` plus BTCPay's field names. For an
 * endpoint in the 'btcpay' format, `btcpay` is one of the BTCPay events our event stands for (see
 * btcpayEvents): its name and fields replace ours, so a receiver written for BTCPay handles it unchanged.
 */
export function buildPayload(
  deliveryId: string,
  endpoint: Pick<WebhookEndpoint, 'id' | 'format'>,
  event: Pick<CheckoutEvent, 'id' | 'type' | 'storeId' | 'checkoutId' | 'createdAt' | 'payload'>,
  btcpay?: BtcpayEvent,
): WebhookPayload {
  const checkout = (event.payload.checkout ?? {}) as Record<string, unknown>;
  const standard = {
    id: deliveryId,
    deliveryId,
    webhookId: endpoint.id,
    originalDeliveryId: deliveryId,
    isRedelivery: false,
    type: event.type,
    timestamp: Math.floor(event.createdAt.getTime() / 1000),
    eventId: event.id,
    storeId: event.storeId,
    invoiceId: event.checkoutId,
    checkoutId: event.checkoutId,
    metadata: { ...((checkout.metadata as Record<string, unknown> | null) ?? {}), ...(checkout.orderId ? { orderId: checkout.orderId } : {}) },
    data: checkout,
  };
  if (endpoint.format !== 'btcpay') return standard;
  return { ...standard, ...(btcpay ?? btcpayEvents(event.type, checkout)[0] ?? {}) };
}

/**
 * The BTCPay Server 2.x webhook events one of our events stands for, in the order BTCPay sends them.
 * BTCPay records a Lightning payment as received and settled at once (InvoiceReceivedPayment,
 * InvoicePaymentSettled), then its invoice goes New → Processing → Settled in one pass
 * (InvoiceProcessing, InvoiceSettled). A payment after expiry is received and settled with
 * `afterExpiration: true`, and the invoice gains PaidLate (InvoicePaidAfterExpiration).
 */
export function btcpayEvents(type: string, checkout: Record<string, unknown>): BtcpayEvent[] {
  const paid = Number(checkout.amountPaidSats ?? 0);
  const due = Number(checkout.amountSats ?? 0);
  // A top-up invoice (no amount) takes whatever is paid: nothing is "over".
  const overPaid = due > 0 && paid > due;
  const payment = (afterExpiration: boolean) => ({
    afterExpiration,
    paymentMethodId: 'BTC-LN',
    payment: {
      id: checkout.paymentHash,
      receivedDate: checkout.settledAt ? Math.floor(new Date(checkout.settledAt as string).getTime() / 1000) : null,
      value: satsToBtc(paid),
      fee: '0',
      status: 'Settled',
      destination: checkout.bolt11,
    },
  });
  switch (type) {
    case CheckoutEventType.InvoiceSettled:
      return [
        { type: 'InvoiceReceivedPayment', ...payment(false) },
        { type: 'InvoicePaymentSettled', ...payment(false) },
        { type: 'InvoiceProcessing', overPaid },
        { type: 'InvoiceSettled', manuallyMarked: false, overPaid },
      ];
    case CheckoutEventType.InvoicePaidAfterExpiration:
      return [
        { type: 'InvoiceReceivedPayment', ...payment(true) },
        { type: 'InvoicePaymentSettled', ...payment(true) },
        { type: 'InvoicePaidAfterExpiration', afterExpiration: true },
      ];
    case CheckoutEventType.InvoiceExpired:
      return [{ type: 'InvoiceExpired', partiallyPaid: checkout.additionalStatus === 'PaidPartial' }];
    case CheckoutEventType.InvoiceInvalid:
      // Only a merchant's cancel makes a checkout Invalid.
      return [{ type: 'InvoiceInvalid', manuallyMarked: true }];
    case CheckoutEventType.InvoicePaidPartial:
      // Less than the amount due arrived: received and settled, while the invoice stays New.
      return [
        { type: 'InvoiceReceivedPayment', ...payment(false) },
        { type: 'InvoicePaymentSettled', ...payment(false) },
      ];
    default:
      return [{ type }];
  }
}

/** Every BTCPay event name btcpayEvents can produce: what a 'btcpay' endpoint may subscribe to. */
export const BTCPAY_EVENT_NAMES = [
  'InvoiceCreated',
  'InvoiceReceivedPayment',
  'InvoicePaymentSettled',
  'InvoiceProcessing',
  'InvoiceSettled',
  'InvoiceExpired',
  'InvoiceInvalid',
  'InvoicePaidAfterExpiration',
];

/** A redelivery is the same event under a new id, pointing back at the first delivery. */
export function redeliveryBody(originalBody: string, newDeliveryId: string): string {
  const payload = JSON.parse(originalBody) as WebhookPayload;
  return JSON.stringify({
    ...payload,
    id: newDeliveryId,
    deliveryId: newDeliveryId,
    originalDeliveryId: payload.originalDeliveryId ?? payload.id,
    isRedelivery: true,
  });
}
