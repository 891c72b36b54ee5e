import { Checkout } from './checkout.entity';
import { lockedRateView, LockedRateView } from '../rates/locked-rate';

export interface CheckoutView {
  id: string;
  storeId: string;
  status: string;
  additionalStatus: string;
  amount: string;
  currency: string;
  amountSats: number;
  /** Sats per one unit of `currency` (cut after 8 decimals; exchangeRate.rate is the exact figure). */
  rate: string | null;
  /** The rate locked at creation, for fiat prices: amountSats = ceil(amount * 1e8 / exchangeRate.rate). */
  exchangeRate: LockedRateView | null;
  orderId: string | null;
  customerId: string | null;
  description: string | null;
  redirectUrl: string | null;
  metadata: Record<string, unknown> | null;
  bolt11: string;
  /** Upper-case, so QR codes use the compact alphanumeric mode. */
  lightningUri: string;
  paymentHash: string;
  checkoutLink: string;
  nodeName: string;
  nodePubkey: string;
  expiresAt: string;
  createdAt: string;
  settledAt: string | null;
  amountPaidSats: number | null;
}

export function checkoutView(c: Checkout, publicUrl: string): CheckoutView {
  return {
    id: c.id,
    storeId: c.storeId,
    status: c.status,
    additionalStatus: c.additionalStatus,
    amount: c.amount,
    currency: c.currency,
    amountSats: c.amountSats,
    rate: c.rate,
    exchangeRate: lockedRateView(c),
    orderId: c.orderId,
    customerId: c.customerId,
    description: c.description,
    redirectUrl: c.redirectUrl,
    metadata: c.metadata,
    bolt11: c.bolt11,
    lightningUri: `LIGHTNING:${c.bolt11.toUpperCase()}`,
    paymentHash: c.paymentHash,
    checkoutLink: `${publicUrl.replace(/\/$/, '')}/i/${c.id}`,
    nodeName: c.nodeName,
    nodePubkey: c.nodePubkey,
    expiresAt: c.expiresAt.toISOString(),
    createdAt: c.createdAt.toISOString(),
    settledAt: c.settledAt ? c.settledAt.toISOString() : null,
    amountPaidSats: c.amountPaidSats,
  };
}
