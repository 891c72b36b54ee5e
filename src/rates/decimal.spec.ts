import { multiplyCeil, normalizeDecimal } from './decimal';

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
});
