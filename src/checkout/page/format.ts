import { minorUnits } from '../../rates/currencies';
import { RateLockColumns } from '../../rates/locked-rate';
import { sourceLabel } from '../../rates/source-labels';

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
      // ISO 4217 minor units: "¥1,500 JPY", "KWD 1.250 KWD", "CHF 12.50 CHF".
      minimumFractionDigits: Math.max(minorUnits(currency), fraction),
      maximumFractionDigits: Math.max(minorUnits(currency), fraction),
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

/** A decimal string rounded half-up to `decimals` and grouped by thousands, without a float: "91,234.56". */
export function formatDecimal(value: string, decimals: number): string {
  const [int, frac = ''] = value.split('.');
  let digits = BigInt(int + frac.padEnd(decimals, '0').slice(0, decimals));
  if (frac.length > decimals && Number(frac[decimals]) >= 5) digits += 1n;
  const text = digits.toString().padStart(decimals + 1, '0');
  const whole = text.slice(0, text.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return decimals > 0 ? `${whole}.${text.slice(text.length - decimals)}` : whole;
}

/**
 * The rate locked on a checkout, explained: "1 BTC = 91,234.56 CHF · Kraken, Bitstamp, CoinGecko
 * median · 21:14 UTC" (one source: its name only). Null when the price was in BTC or sats.
 */
export function formatLockedRate(c: RateLockColumns): string | null {
  if (!c.rateBtc || !c.rateAt) return null;
  const sources = (c.rateSources ?? []).map(sourceLabel);
  const how = sources.length > 1 ? `${sources.join(', ')} median` : (sources[0] ?? '');
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(c.rateAt);
  return `1 BTC = ${formatDecimal(c.rateBtc, minorUnits(c.currency))} ${c.currency} · ${how} · ${time} UTC`;
}
