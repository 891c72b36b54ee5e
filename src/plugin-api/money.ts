/* Exact money arithmetic for views that show amounts in another server's units. */
export { satsToBtc } from '../rates/decimal';
export { fractionToDecimal, priceFromDecimal } from '../rates/exact-price';
export type { ExactPrice } from '../rates/exact-price';
export { lockedBtcRate } from '../rates/locked-rate';
