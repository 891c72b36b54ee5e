import { CheckoutEventType } from '../../src/checkout/checkout-status';

/**
 * BTCPay's invoice event names → ours. Lightning has no unconfirmed phase, so "payment received",
 * "processing" and "payment settled" all arrive as InvoiceSettled (or, after expiry, InvoicePaidAfterExpiration).
 * Names outside invoices (payouts, payment requests) have nothing to map to and are dropped.
 */
const MAP: Record<string, CheckoutEventType[]> = {
  InvoiceCreated: [CheckoutEventType.InvoiceCreated],
  InvoiceReceivedPayment: [CheckoutEventType.InvoiceSettled, CheckoutEventType.InvoicePaidAfterExpiration],
  InvoiceProcessing: [CheckoutEventType.InvoiceSettled],
  InvoicePaymentSettled: [CheckoutEventType.InvoiceSettled, CheckoutEventType.InvoicePaidAfterExpiration],
  InvoiceSettled: [CheckoutEventType.InvoiceSettled],
  InvoiceExpired: [CheckoutEventType.InvoiceExpired],
  InvoiceInvalid: [CheckoutEventType.InvoiceInvalid],
  InvoicePaidAfterExpiration: [CheckoutEventType.InvoicePaidAfterExpiration],
};

/** Our event list for BTCPay's `authorizedEvents`; an empty list means every event. null: nothing we can send. */
export function toOurEvents(authorized: { everything?: boolean; specificEvents?: string[] } | undefined): CheckoutEventType[] | null {
  if (!authorized || authorized.everything !== false) return [];
  const ours = new Set((authorized.specificEvents ?? []).flatMap((name) => MAP[name] ?? []));
  return ours.size > 0 ? [...ours] : null;
}

export function toAuthorizedEvents(events: string[]): { everything: boolean; specificEvents: string[] } {
  return events.length === 0 ? { everything: true, specificEvents: [] } : { everything: false, specificEvents: events };
}
