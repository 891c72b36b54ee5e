import { minorUnits } from '../../rates/currencies';
import { RateLockColumns } from '../../rates/locked-rate';
import { sourceLabel } from '../../rates/source-labels';
import { Language, Translate } from './i18n';

/**
 * Display formatting of the server-rendered page, in the page's language (the page script mirrors
 * `formatRemaining` and shows times in the shopper's own time zone).
 */

/** Intl locales of the page languages; English as in en-GB: "23 Nov 2026", never "11/23/2026". */
const INTL_LOCALES: Record<Language, string> = { en: 'en-GB', de: 'de-DE', es: 'es-ES', fr: 'fr-FR', it: 'it-IT', pt: 'pt-PT', ja: 'ja-JP' };

export const intlLocale = (language: Language): string => INTL_LOCALES[language];

export function formatSats(sats: number, locale = 'en-GB'): string {
  return new Intl.NumberFormat(locale).format(sats);
}

export interface FormattedPrice {
  /** "$12.35", "12,35 €", "CHF 12.50", "￥1,500". */
  text: string;
  /** The ISO code when the text does not name it already ("$" could be USD, CAD, AUD...). */
  code: string | null;
}

/** The merchant's price exactly as given (no rounding), with at least its currency's minor units (ISO 4217). */
export function formatPrice(amount: string, currency: string, locale = 'en-GB'): FormattedPrice {
  if (currency === 'BTC') return { text: amount, code: 'BTC' };
  try {
    const fraction = amount.includes('.') ? amount.split('.')[1].length : 0;
    const digits = Math.max(minorUnits(currency), fraction);
    const text = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      // A decimal string is formatted exactly, without a detour through a float.
    }).format(amount as unknown as number);
    return { text, code: text.includes(currency) ? null : currency };
  } catch {
    return { text: amount, code: currency };
  }
}

/** "14:59", "1:02:03" or "2d 3h 4m" (`days` is the page language's template): the countdown to expiry. */
export function formatRemaining(ms: number, days = '{d}d {h}h {m}m'): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return days.replace('{d}', String(d)).replace('{h}', String(h)).replace('{m}', String(m));
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A fixed point in time, for pages seen without JavaScript (the script shows local time): "23 Nov 2026, 11:09 UTC". */
export function formatUtc(date: Date, locale = 'en-GB'): string {
  return (
    new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: 'UTC',
    }).format(date) + ' UTC'
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

export interface RateDetails {
  /** "1 BTC = 91,234.56 CHF" */
  rate: string;
  /** "Kraken, Bitstamp, CoinGecko (median)", or the one source's name. */
  sources: string;
  at: Date;
  /** "2 %", "0 %": already included in the rate. */
  spread: string;
}

/** The rate locked on a fiat checkout, for the page's "view details"; null when priced in BTC or sats. */
export function rateDetails(c: RateLockColumns, t: Translate, locale = 'en-GB'): RateDetails | null {
  if (!c.rateBtc || !c.rateAt) return null;
  // Exchanges are names; the fixed table (dev and tests) is a description, so it is translated.
  const names = (c.rateSources ?? []).map((source) => (source === 'fixed' ? t('detailsFixedSource') : sourceLabel(source)));
  const list = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(names);
  const digits = minorUnits(c.currency);
  const value = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(c.rateBtc as unknown as number);
  return {
    rate: `1 BTC = ${value} ${c.currency}`,
    sources: names.length > 1 ? t('detailsMedian', { sources: list }) : list,
    at: c.rateAt,
    spread: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 4 }).format(Number(c.rateSpreadPercent ?? '0') / 100),
  };
}
