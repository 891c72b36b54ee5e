/** Exact decimal arithmetic on strings via BigInt, so money is never a float. */
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

function parse(value: string): { digits: bigint; scale: number } {
  const match = DECIMAL.exec(value);
  if (!match) throw new Error(`not a decimal: ${value}`);
  const frac = match[2] ?? '';
  return { digits: BigInt(match[1] + frac), scale: frac.length };
}

/** ceil(a * b) as a BigInt: a customer never pays less than the price. */
export function multiplyCeil(a: string, b: string): bigint {
  const x = parse(a);
  const y = parse(b);
  const product = x.digits * y.digits;
  const divisor = 10n ** BigInt(x.scale + y.scale);
  return product / divisor + (product % divisor === 0n ? 0n : 1n);
}

/** Normalizes "0012.500" to "12.5". */
export function normalizeDecimal(value: string): string {
  const { digits, scale } = parse(value);
  const text = digits.toString().padStart(scale + 1, '0');
  const int = text.slice(0, text.length - scale) || '0';
  const frac = text.slice(text.length - scale).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** Whole sats as BTC with 8 decimals ("0.00002000"), exactly: BTCPay's unit for amounts. */
export function satsToBtc(sats: number): string {
  const text = BigInt(Math.trunc(sats)).toString().padStart(9, '0');
  return `${text.slice(0, -8)}.${text.slice(-8)}`;
}
