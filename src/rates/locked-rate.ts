import { ApiProperty } from '@nestjs/swagger';
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

export class LockedRateView {
  @ApiProperty({ example: 'BTC_CHF', description: 'BTC_<currency>: the price of 1 BTC in the checkout\'s currency' }) currencyPair: string;
  @ApiProperty({ type: String, pattern: '^\\d+(\\.\\d+)?$', example: '87250.5' }) rate: string;
  /** Source keys whose median it is (`kraken`, …) and their display names. */
  @ApiProperty({ type: [String], example: ['kraken', 'bitstamp'], description: 'Source keys whose median it is' }) sources: string[];
  @ApiProperty({ type: [String], example: ['Kraken', 'Bitstamp'] }) sourceNames: string[];
  /** When the oldest answer that made the rate was fetched. */
  @ApiProperty({ format: 'date-time', description: 'When the oldest answer that made the rate was fetched' }) fetchedAt: string;
  /** The store's spread, already included in `rate`. */
  @ApiProperty({ type: String, example: '0', description: "The store's spread in percent, already included in `rate`" }) spreadPercent: string;
}

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
