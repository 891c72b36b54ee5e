/** Display formatting shared by the server-rendered page; the page script mirrors `formatRemaining`. */

export function formatSats(sats: number): string {
  return new Intl.NumberFormat('en-US').format(sats);
}

/** The merchant's price exactly as given (no rounding), with the currency's symbol when known. */
export function formatPrice(amount: string, currency: string): string {
  if (currency === 'BTC') return `${amount} BTC`;
  try {
    const fraction = amount.includes('.') ? amount.split('.')[1].length : 0;
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: Math.max(2, fraction),
      maximumFractionDigits: Math.max(2, fraction),
      // A decimal string is formatted exactly, without a detour through a float.
    }).format(amount as unknown as number) + ` ${currency}`;
  } catch {
    return `${amount} ${currency}`;
  }
}

/** "14:59", "1:02:03" or "2d 3h 4m": the countdown to expiry. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** The expiry as a fixed point in time, for pages seen without JavaScript: "23 Nov 2026, 11:09 UTC". */
export function formatUtc(date: Date): string {
  return (
    new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(date) +
    ' UTC'
  );
}
