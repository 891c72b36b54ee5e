import { isIsoCurrency, minorUnits } from './currencies';

describe('ISO 4217 minor units', () => {
  it('knows the exceptions to two decimals', () => {
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KRW')).toBe(0);
    expect(minorUnits('CHF')).toBe(2);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('BHD')).toBe(3);
    expect(minorUnits('CLF')).toBe(4);
    expect(minorUnits('BTC')).toBe(8);
    expect(minorUnits('SATS')).toBe(0);
  });

  it('tells currency codes from anything else', () => {
    expect(isIsoCurrency('CHF')).toBe(true);
    expect(isIsoCurrency('XYZ')).toBe(false);
    expect(isIsoCurrency('BTC')).toBe(false);
    expect(isIsoCurrency('ETH')).toBe(false);
  });
});
