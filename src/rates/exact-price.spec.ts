import {
  comparePrice,
  deviatesMoreThan,
  isExactDecimal,
  medianPrice,
  priceFromDecimal,
  priceFromSatsPerUnit,
  priceToDecimal,
  satsFor,
  satsPerUnit,
  withSpread,
} from './exact-price';

const p = priceFromDecimal;

describe('exact prices', () => {
  it('takes the median of an odd and an even number of answers, exactly', () => {
    expect(priceToDecimal(medianPrice([p('91240.12'), p('91230'), p('91234.56')]))).toBe('91234.56');
    expect(priceToDecimal(medianPrice([p('0.1'), p('0.2')]))).toBe('0.15');
    expect(priceToDecimal(medianPrice([p('15000000.0'), p('15020000'), p('15005000.5'), p('15010000')]))).toBe('15007500.25');
    expect(() => medianPrice([])).toThrow();
  });

  it('tells an answer more than N % off the median, at the boundary exactly', () => {
    expect(deviatesMoreThan(p('105'), p('100'), '5')).toBe(false);
    expect(deviatesMoreThan(p('105.0000001'), p('100'), '5')).toBe(true);
    expect(deviatesMoreThan(p('95'), p('100'), '5')).toBe(false);
    expect(deviatesMoreThan(p('94.99'), p('100'), '5')).toBe(true);
    expect(deviatesMoreThan(p('100.5'), p('100'), '0.25')).toBe(true);
  });

  it('applies a spread by lowering the price of 1 BTC, so the customer pays more sats', () => {
    expect(priceToDecimal(withSpread(p('91234.56'), '2'))).toBe('89409.8688');
    expect(priceToDecimal(withSpread(p('100'), '1.5'))).toBe('98.5');
    expect(() => withSpread(p('100'), '100')).toThrow();
  });

  it('rounds sats up, never down, and is exact where a float is not', () => {
    expect(satsFor('12.5', p('91234.56'))).toBe(13701n);
    expect(satsFor('1500', p('15007500.25'))).toBe(9996n);
    // 0.1 + 0.2 style trap: 3 units at 1e8/3 per BTC = exactly 9 sats, no 10.
    expect(satsFor('3', { num: 100_000_000n, den: 3n })).toBe(9n);
    expect(satsFor('1', p('100000000'))).toBe(1n);
    expect(satsFor('1', p('100000001'))).toBe(1n);
    // Where doubles overshoot an exact result and ceil() adds a sat: 0.07 * 1e8 = 7000000.000000001.
    expect(satsFor('0.07', p('1'))).toBe(7_000_000n);
    expect(satsFor('0.07', p('0.7'))).toBe(10_000_000n);
  });

  it('reads the fixed table (sats per unit) without losing anything', () => {
    const eur = priceFromSatsPerUnit('1100');
    expect(satsFor('12.5', eur)).toBe(13750n);
    expect(satsPerUnit(eur)).toBe('1100');
    expect(isExactDecimal(eur)).toBe(false);
    expect(priceToDecimal(eur, 8)).toBe('90909.09090909');
    expect(comparePrice(eur, p('90909.09090909'))).toBe(1);
  });

  it('refuses zero and non-decimals', () => {
    expect(() => p('0')).toThrow();
    expect(() => p('1e5')).toThrow();
    expect(() => p('-1')).toThrow();
    expect(() => priceFromSatsPerUnit('0.000')).toThrow();
  });
});
