export enum CheckoutStatus {
  New = 'New',
  Settled = 'Settled',
  Expired = 'Expired',
  Invalid = 'Invalid',
}

export enum AdditionalStatus {
  None = 'None',
  /** Paid after the checkout had expired: recorded and notified, never lost. */
  PaidLate = 'PaidLate',
  /**
   * The node took less than the amount due (only possible on backends that accept any amount;
   * LND refuses an underpaying HTLC). The checkout stays New and expires as usual: the invoice is
   * used up, but the amount paid is recorded and notified so the merchant can refund or settle it.
   */
  PaidPartial = 'PaidPartial',
}

export enum CheckoutEventType {
  InvoiceCreated = 'InvoiceCreated',
  InvoiceSettled = 'InvoiceSettled',
  InvoiceExpired = 'InvoiceExpired',
  InvoiceInvalid = 'InvoiceInvalid',
  InvoicePaidAfterExpiration = 'InvoicePaidAfterExpiration',
  /** A payment below the amount due: recorded, the checkout not Settled. */
  InvoicePaidPartial = 'InvoicePaidPartial',
}

export const CHECKOUT_EVENT_TYPES = Object.values(CheckoutEventType);
