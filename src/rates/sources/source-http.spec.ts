import { priceToDecimal } from '../exact-price';
import { priceField } from './source-http';

describe('priceField (a price as a source sent it)', () => {
  it('refuses a price of 1 BTC below one unit of any currency: a broken source, not a price', () => {
    expect(() => priceField('0.00000000000000000001', 'x')).toThrow(/absurd/);
    expect(() => priceField('0.99', 'x')).toThrow(/absurd/);
    expect(priceToDecimal(priceField('1', 'x'))).toBe('1');
  });

  it('keeps at most 12 decimals, rounded down (the customer never pays less), so a locked rate stays an exact stored decimal', () => {
    expect(priceToDecimal(priceField('91234.5612345678901234', 'x'), 40)).toBe('91234.56123456789');
    expect(priceToDecimal(priceField('91234.' + '9'.repeat(5000), 'x'), 40)).toBe('91234.999999999999');
    expect(priceToDecimal(priceField('91234.56', 'x'), 40)).toBe('91234.56');
  });
});
