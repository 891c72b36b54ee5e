import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { priceFromSatsPerUnit, priceToDecimal } from './exact-price';
import { sourceLabel } from './source-labels';

/** What a checkout stores of its rate (the columns added by the rate-lock migration). */
export interface RateLockColumns {
  currency: string;
  rate: string | null;
  rateBtc: string | null;
  rateSources: string[] | null;
  rateAt: Date | null;
  rateSpreadPercent: string | null;
}

export interface LockedRateView {
  /** BTC_CHF: the price of 1 BTC in the checkout's currency. */
  currencyPair: string;
  rate: string;
  /** Source keys whose median it is (`kraken`, …) and their display names. */
  sources: string[];
  sourceNames: string[];
  /** When the oldest answer that made the rate was fetched. */
  fetchedAt: string;
  /** The store's spread, already included in `rate`. */
  spreadPercent: string;
}

/**
 * LockedRateView's OpenAPI schema, inline: a nullable `$ref` cannot be said in OpenAPI 3.0 (a
 * sibling `nullable` does not reach into the referenced schema, so `null` would not validate).
 */
export const LOCKED_RATE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['currencyPair', 'rate', 'sources', 'sourceNames', 'fetchedAt', 'spreadPercent'],
  properties: {
    currencyPair: { type: 'string', example: 'BTC_CHF', description: "BTC_<currency>: the price of 1 BTC in the checkout's currency" },
    rate: { type: 'string', pattern: '^\\d+(\\.\\d+)?$', example: '87250.5' },
    sources: { type: 'array', items: { type: 'string' }, example: ['kraken', 'bitstamp'], description: 'Source keys whose median it is' },
    sourceNames: { type: 'array', items: { type: 'string' }, example: ['Kraken', 'Bitstamp'] },
    fetchedAt: { type: 'string', format: 'date-time', description: 'When the oldest answer that made the rate was fetched' },
    spreadPercent: { type: 'string', example: '0', description: "The store's spread in percent, already included in `rate`" },
  },
};

/**
 * The locked price of 1 BTC in the checkout's currency, as a decimal string: what BTCPay calls an
 * invoice's `rate`. For fiat it is the stored rate; for rows priced before rates were locked it is
 * derived from the sats-per-unit `rate`; a BTC checkout is at 1, a SATS checkout at 100000000.
 * `minDecimals` pads the fraction (BTCPay clients show 8).
 */
export function lockedBtcRate(c: RateLockColumns, minDecimals = 0): string {
  let rate: string;
  if (c.rateBtc) rate = c.rateBtc;
  else if (c.currency === 'BTC') rate = '1';
  else if (c.currency === 'SATS' || !c.rate) rate = '100000000';
  else rate = priceToDecimal(priceFromSatsPerUnit(c.rate), 8);
  const [int, frac = ''] = rate.split('.');
  const padded = frac.padEnd(minDecimals, '0');
  return padded ? `${int}.${padded}` : int;
}

export function lockedRateView(c: RateLockColumns): LockedRateView | null {
  if (!c.rateBtc || !c.rateAt) return null;
  const sources = c.rateSources ?? [];
  return {
    currencyPair: `BTC_${c.currency}`,
    rate: c.rateBtc,
    sources,
    sourceNames: sources.map(sourceLabel),
    fetchedAt: c.rateAt.toISOString(),
    spreadPercent: c.rateSpreadPercent ?? '0',
  };
}
