import { multiplyCeil, normalizeDecimal, satsToBtc } from './decimal';

describe('decimal', () => {
  it('multiplies exactly and rounds up', () => {
    expect(multiplyCeil('12.34', '1000')).toBe(12340n);
    expect(multiplyCeil('0.001', '1000')).toBe(1n);
    expect(multiplyCeil('0.0011', '1000')).toBe(2n);
    expect(multiplyCeil('0.1', '3')).toBe(1n);
    expect(multiplyCeil('21000000', '100000000')).toBe(2_100_000_000_000_000n);
  });

  it('normalizes', () => {
    expect(normalizeDecimal('0012.500')).toBe('12.5');
    expect(normalizeDecimal('0.00')).toBe('0');
    expect(normalizeDecimal('5')).toBe('5');
  });

  it('writes sats as BTC with 8 decimals, exactly', () => {
    expect(satsToBtc(0)).toBe('0.00000000');
    expect(satsToBtc(2000)).toBe('0.00002000');
    expect(satsToBtc(100_000_000)).toBe('1.00000000');
    expect(satsToBtc(2_100_000_000_000_000)).toBe('21000000.00000000');
    expect(satsToBtc(2_099_999_997_690_001)).toBe('20999999.97690001');
  });
});
