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
}

export enum CheckoutEventType {
  InvoiceCreated = 'InvoiceCreated',
  InvoiceSettled = 'InvoiceSettled',
  InvoiceExpired = 'InvoiceExpired',
  InvoiceInvalid = 'InvoiceInvalid',
  InvoicePaidAfterExpiration = 'InvoicePaidAfterExpiration',
}

export const CHECKOUT_EVENT_TYPES = Object.values(CheckoutEventType);
