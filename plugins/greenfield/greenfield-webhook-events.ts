import { BTCPAY_EVENT_NAMES } from '../../src/plugin-api';

/**
 * The event filter a BTCPay-format endpoint stores: BTCPay's own event names (the fan-out turns each
 * of our events into the BTCPay events it stands for, then filters by these). An empty list means
 * every event. Names we never send (payouts, payment requests, partial payments) are dropped;
 * null: nothing asked for is something we send.
 */
export function toStoredEvents(authorized: { everything?: boolean | null; specificEvents?: string[] | null } | null | undefined): string[] | null {
  if (!authorized || authorized.everything !== false) return [];
  const known = new Set(BTCPAY_EVENT_NAMES);
  const kept = [...new Set((authorized.specificEvents ?? []).filter((name) => known.has(name)))];
  return kept.length > 0 ? kept : null;
}

export function toAuthorizedEvents(events: string[]): { everything: boolean; specificEvents: string[] } {
  return events.length === 0 ? { everything: true, specificEvents: [] } : { everything: false, specificEvents: events };
}
