import { isDecimal } from './decimal';

/**
 * The price of 1 BTC in a currency as an exact fraction num/den. Exchanges quote decimals, the
 * fixed table quotes sats per unit (1e8 / price, not always a finite decimal), and the median of
 * two decimals or a percentage off one are fractions too: nothing on the way to the price is a float.
 */
export interface ExactPrice {
  readonly num: bigint;
  readonly den: bigint;
}

const SATS_PER_BTC = 100_000_000n;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

function reduced(num: bigint, den: bigint): ExactPrice {
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

function parts(text: string): { digits: bigint; scale: bigint } {
  if (!isDecimal(text)) throw new Error(`not a decimal: ${text}`);
  const [int, frac = ''] = text.split('.');
  return { digits: BigInt(int + frac), scale: 10n ** BigInt(frac.length) };
}

export function priceFromDecimal(text: string): ExactPrice {
  const { digits, scale } = parts(text);
  if (digits === 0n) throw new Error('a price must be positive');
  return reduced(digits, scale);
}

/** The fixed table's "sats per unit" as the price of 1 BTC: 1e8 / satsPerUnit. */
export function priceFromSatsPerUnit(text: string): ExactPrice {
  const { digits, scale } = parts(text);
  if (digits === 0n) throw new Error('a rate must be positive');
  return reduced(SATS_PER_BTC * scale, digits);
}

export function comparePrice(a: ExactPrice, b: ExactPrice): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The middle answer, or the mean of the two middle ones. */
export function medianPrice(prices: readonly ExactPrice[]): ExactPrice {
  if (prices.length === 0) throw new Error('no prices');
  const sorted = [...prices].sort(comparePrice);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid];
  const [a, b] = [sorted[mid - 1], sorted[mid]];
  return reduced(a.num * b.den + b.num * a.den, 2n * a.den * b.den);
}

/** |price - reference| > percent % of reference, exactly. */
export function deviatesMoreThan(price: ExactPrice, reference: ExactPrice, percent: string): boolean {
  const p = parts(percent);
  // |a/b - c/d| * 100 * scale > digits * c/d  <=>  |a*d - c*b| * 100 * scale > digits * c * b
  const diff = price.num * reference.den - reference.num * price.den;
  const abs = diff < 0n ? -diff : diff;
  return abs * 100n * p.scale > p.digits * reference.num * price.den;
}

/**
 * The merchant's spread: the price of 1 BTC lowered by `percent` %, so the customer pays that much
 * more in sats (as BTCPay applies a store spread to the rate it sells at).
 */
export function withSpread(price: ExactPrice, percent: string): ExactPrice {
  const p = parts(percent);
  const keep = 100n * p.scale - p.digits;
  if (keep <= 0n) throw new Error('a spread must be below 100 %');
  return reduced(price.num * keep, price.den * 100n * p.scale);
}

/** Sats for `amount` units of the currency at `price`, rounded up so the shop is never underpaid. */
export function satsFor(amount: string, price: ExactPrice): bigint {
  const a = parts(amount);
  const num = a.digits * SATS_PER_BTC * price.den;
  const den = a.scale * price.num;
  return num / den + (num % den === 0n ? 0n : 1n);
}

/**
 * A fraction as a decimal string: exact when it ends within `maxScale` digits (every median of
 * exchange quotes with a spread does), otherwise cut after `maxScale` digits (only the fixed
 * table's sats-per-unit rates, for which the stored sats-per-unit `rate` is the exact figure).
 */
export function fractionToDecimal(num: bigint, den: bigint, maxScale = 12): string {
  const int = num / den;
  let rest = num % den;
  let frac = '';
  while (rest !== 0n && frac.length < maxScale) {
    rest *= 10n;
    frac += (rest / den).toString();
    rest %= den;
  }
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int.toString();
}

export function priceToDecimal(price: ExactPrice, maxScale = 12): string {
  return fractionToDecimal(price.num, price.den, maxScale);
}

/** Sats per 1 unit of the currency (the checkout's historical `rate` field). */
export function satsPerUnit(price: ExactPrice, maxScale = 8): string {
  return fractionToDecimal(SATS_PER_BTC * price.den, price.num, maxScale);
}

export function isExactDecimal(price: ExactPrice, maxScale = 12): boolean {
  let den = price.den;
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) [den, twos] = [den / 2n, twos + 1];
  while (den % 5n === 0n) [den, fives] = [den / 5n, fives + 1];
  return den === 1n && Math.max(twos, fives) <= maxScale;
}
