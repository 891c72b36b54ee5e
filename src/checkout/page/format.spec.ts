import { formatPrice, formatRemaining, formatSats, formatUtc } from './format';

describe('hosted page formatting', () => {
  it('groups sats', () => {
    expect(formatSats(2100)).toBe('2,100');
    expect(formatSats(1)).toBe('1');
  });

  it('shows the merchant price exactly, with its currency', () => {
    expect(formatPrice('12.345', 'USD')).toBe('$12.345 USD');
    expect(formatPrice('12', 'EUR')).toBe('€12.00 EUR');
    expect(formatPrice('0.00001', 'BTC')).toBe('0.00001 BTC');
    expect(formatPrice('1234567.5', 'GBP')).toBe('£1,234,567.50 GBP');
  });

  it('counts down in minutes, hours or days', () => {
    expect(formatRemaining(899_400)).toBe('14:59');
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
    expect(formatRemaining(2 * 86_400_000 + 3_723_000)).toBe('2d 1h 2m');
    expect(formatRemaining(-5_000)).toBe('0:00');
  });

  it('prints the expiry in UTC', () => {
    expect(formatUtc(new Date('2026-11-23T09:05:00Z'))).toBe('23 Nov 2026, 09:05 UTC');
  });
});
