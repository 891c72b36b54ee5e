import { Checkout } from '../checkout.entity';
import { AdditionalStatus, CheckoutStatus } from '../checkout-status';

/** What the hosted page may learn about a checkout after it was rendered: nothing else leaks. */
export interface PublicStatus {
  status: CheckoutStatus;
  additionalStatus: AdditionalStatus;
  expiresAt: string;
  /** Where the customer goes once paid: the checkout's redirect, else the store's website. */
  redirectUrl: string | null;
  settledAt: string | null;
  /** No further change is expected: live updates stop. */
  final: boolean;
}

/** The screen the page shows for a status. */
export type Screen = 'New' | 'Settled' | 'Expired' | 'Invalid' | 'PaidLate';

export function screenOf(s: Pick<Checkout, 'status' | 'additionalStatus'>): Screen {
  return s.additionalStatus === AdditionalStatus.PaidLate ? 'PaidLate' : s.status;
}

/**
 * A payment racing the expiry (or a cancel) can still turn an Expired or Invalid checkout into
 * PaidLate, so live views keep listening this long after that transition.
 */
export const LATE_PAYMENT_GRACE_MS = 60_000;

/** When live views may stop listening; `null` while no such moment is known yet (New). */
export function finalAt(c: Pick<Checkout, 'status' | 'additionalStatus' | 'updatedAt'>): number | null {
  if (c.status === CheckoutStatus.Settled || c.additionalStatus === AdditionalStatus.PaidLate) return 0;
  if (c.status === CheckoutStatus.Expired || c.status === CheckoutStatus.Invalid) return c.updatedAt.getTime() + LATE_PAYMENT_GRACE_MS;
  return null;
}

export function isFinal(c: Pick<Checkout, 'status' | 'additionalStatus' | 'updatedAt'>, now = Date.now()): boolean {
  const at = finalAt(c);
  return at !== null && now >= at;
}

export function publicStatus(c: Checkout, redirectUrl: string | null, now = Date.now()): PublicStatus {
  return {
    status: c.status,
    additionalStatus: c.additionalStatus,
    expiresAt: c.expiresAt.toISOString(),
    redirectUrl,
    settledAt: c.settledAt ? c.settledAt.toISOString() : null,
    final: isFinal(c, now),
  };
}

/** Only http(s) URLs are followed: a `javascript:` store website must never reach an href. */
export function safeRedirectUrl(...candidates: (string | null | undefined)[]): string | null {
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    } catch {
      // not a URL: try the next candidate
    }
  }
  return null;
}

export function sameStatus(a: PublicStatus, b: PublicStatus): boolean {
  return a.status === b.status && a.additionalStatus === b.additionalStatus && a.settledAt === b.settledAt && a.expiresAt === b.expiresAt;
}
