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

/**
 * The JSON body: Standard Webhooks' `type`/`timestamp`/`data` plus BTCPay's field names. For an
 * endpoint in the 'btcpay' format the event is also named and qualified as BTCPay Server would
 * send it, so a receiver written for BTCPay handles it unchanged (see btcpayEvent).
 */
export function buildPayload(
  deliveryId: string,
  endpoint: Pick<WebhookEndpoint, 'id' | 'format'>,
  event: Pick<CheckoutEvent, 'id' | 'type' | 'storeId' | 'checkoutId' | 'createdAt' | 'payload'>,
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
  return endpoint.format === 'btcpay' ? { ...standard, ...btcpayEvent(event.type, checkout) } : standard;
}

/**
 * BTCPay Server's name and extra fields for one of our events. A Lightning payment is received and
 * settled at once, so InvoiceSettled stays InvoiceSettled; a payment after expiry is what BTCPay
 * reports as InvoiceReceivedPayment with afterExpiration (the invoice stays Expired, marked PaidLate).
 */
function btcpayEvent(type: string, checkout: Record<string, unknown>): Record<string, unknown> {
  const paid = Number(checkout.amountPaidSats ?? 0);
  switch (type) {
    case CheckoutEventType.InvoiceSettled:
      return { manuallyMarked: false, overPaid: paid > Number(checkout.amountSats ?? 0) };
    case CheckoutEventType.InvoiceExpired:
      return { partiallyPaid: checkout.additionalStatus === 'PaidPartial' };
    case CheckoutEventType.InvoiceInvalid:
      // Only a merchant's cancel makes a checkout Invalid.
      return { manuallyMarked: true };
    case CheckoutEventType.InvoicePaidAfterExpiration:
    case CheckoutEventType.InvoicePaidPartial:
      return {
        type: 'InvoiceReceivedPayment',
        afterExpiration: type === CheckoutEventType.InvoicePaidAfterExpiration,
        paymentMethod: 'BTC-LN',
        payment: {
          id: checkout.paymentHash,
          receivedDate: checkout.settledAt ? Math.floor(new Date(checkout.settledAt as string).getTime() / 1000) : null,
          value: satsToBtc(paid),
          fee: '0',
          status: 'Settled',
          destination: checkout.bolt11,
        },
      };
    default:
      return {};
  }
}


/** A redelivery is the same event under a new id, pointing back at the first delivery. */
export function redeliveryBody(originalBody: string, newDeliveryId: string): string {
  const payload = JSON.parse(originalBody) as WebhookPayload;
  return JSON.stringify({ ...payload, id: newDeliveryId, deliveryId: newDeliveryId, originalDeliveryId: payload.originalDeliveryId ?? payload.id, isRedelivery: true });
}
