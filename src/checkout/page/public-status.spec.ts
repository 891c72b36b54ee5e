import { AdditionalStatus, CheckoutStatus } from '../checkout-status';
import { isFinal, LATE_PAYMENT_GRACE_MS, safeRedirectUrl, screenOf } from './public-status';

describe('hosted page status rules', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const c = (status: CheckoutStatus, additionalStatus = AdditionalStatus.None) => ({ status, additionalStatus, updatedAt: at });

  it('picks the screen, PaidLate winning over Expired and Invalid', () => {
    expect(screenOf(c(CheckoutStatus.New))).toBe('New');
    expect(screenOf(c(CheckoutStatus.Expired, AdditionalStatus.PaidLate))).toBe('PaidLate');
    expect(screenOf(c(CheckoutStatus.Invalid, AdditionalStatus.PaidLate))).toBe('PaidLate');
  });

  it('keeps listening a grace period after Expired or Invalid, for a payment racing the expiry', () => {
    const now = at.getTime();
    expect(isFinal(c(CheckoutStatus.New), now + 10 * LATE_PAYMENT_GRACE_MS)).toBe(false);
    expect(isFinal(c(CheckoutStatus.Settled), now)).toBe(true);
    expect(isFinal(c(CheckoutStatus.Expired, AdditionalStatus.PaidLate), now)).toBe(true);
    expect(isFinal(c(CheckoutStatus.Expired), now + LATE_PAYMENT_GRACE_MS - 1)).toBe(false);
    expect(isFinal(c(CheckoutStatus.Expired), now + LATE_PAYMENT_GRACE_MS)).toBe(true);
    expect(isFinal(c(CheckoutStatus.Invalid), now + LATE_PAYMENT_GRACE_MS)).toBe(true);
  });

  it('only ever redirects to http(s) URLs', () => {
    expect(safeRedirectUrl('javascript:alert(1)', 'https://shop.example/')).toBe('https://shop.example/');
    expect(safeRedirectUrl('data:text/html,x', 'not a url', null)).toBeNull();
    expect(safeRedirectUrl(null, undefined, 'http://127.0.0.1:8080/thanks?o=1')).toBe('http://127.0.0.1:8080/thanks?o=1');
  });
});
