import type { Checkout } from './checkout.entity';
import { AdditionalStatus, CheckoutEventType, CheckoutStatus } from './checkout-status';

export interface PaymentStep {
  outcome: 'settled' | 'paid_late' | 'underpaid';
  status: CheckoutStatus;
  additionalStatus: AdditionalStatus;
  event: CheckoutEventType;
}

/**
 * What a payment the node reports does to a checkout, whatever the backend:
 * - New, paid at least the amount due → Settled;
 * - New, paid less → stays New, marked PaidPartial (it expires as usual; the money is recorded);
 * - Expired or Invalid, not yet marked → PaidLate, whatever the amount: money taken is never lost;
 * - anything else (already Settled, PaidLate or PaidPartial) → null: that payment is already on record.
 */
export function paymentStep(checkout: Pick<Checkout, 'status' | 'additionalStatus' | 'amountSats'>, amountPaidSats: number): PaymentStep | null {
  if (checkout.status === CheckoutStatus.New) {
    if (amountPaidSats >= checkout.amountSats) {
      return { outcome: 'settled', status: CheckoutStatus.Settled, additionalStatus: AdditionalStatus.None, event: CheckoutEventType.InvoiceSettled };
    }
    if (checkout.additionalStatus === AdditionalStatus.None) {
      return { outcome: 'underpaid', status: CheckoutStatus.New, additionalStatus: AdditionalStatus.PaidPartial, event: CheckoutEventType.InvoicePaidPartial };
    }
    return null;
  }
  if ((checkout.status === CheckoutStatus.Expired || checkout.status === CheckoutStatus.Invalid) && checkout.additionalStatus === AdditionalStatus.None) {
    return { outcome: 'paid_late', status: checkout.status, additionalStatus: AdditionalStatus.PaidLate, event: CheckoutEventType.InvoicePaidAfterExpiration };
  }
  return null;
}
