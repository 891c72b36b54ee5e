import { CheckoutEvent } from '../checkout/checkout-event.entity';

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

/** The JSON body: Standard Webhooks' `type`/`timestamp`/`data` plus BTCPay's field names. */
export function buildPayload(deliveryId: string, endpointId: string, event: Pick<CheckoutEvent, 'id' | 'type' | 'storeId' | 'checkoutId' | 'createdAt' | 'payload'>): WebhookPayload {
  const checkout = (event.payload.checkout ?? {}) as Record<string, unknown>;
  return {
    id: deliveryId,
    deliveryId,
    webhookId: endpointId,
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
}

/** A redelivery is the same event under a new id, pointing back at the first delivery. */
export function redeliveryBody(originalBody: string, newDeliveryId: string): string {
  const payload = JSON.parse(originalBody) as WebhookPayload;
  return JSON.stringify({ ...payload, id: newDeliveryId, deliveryId: newDeliveryId, originalDeliveryId: payload.originalDeliveryId ?? payload.id, isRedelivery: true });
}
