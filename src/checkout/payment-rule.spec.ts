import { AdditionalStatus, CheckoutStatus } from './checkout-status';
import { paymentStep } from './payment-rule';

const c = (status: CheckoutStatus, amountSats = 1025, additionalStatus = AdditionalStatus.None) => ({ status, additionalStatus, amountSats });

describe('paymentStep', () => {
  it('settles a New checkout only when at least the amount due was paid', () => {
    expect(paymentStep(c(CheckoutStatus.New), 1025)?.status).toBe(CheckoutStatus.Settled);
    expect(paymentStep(c(CheckoutStatus.New), 2000)?.status).toBe(CheckoutStatus.Settled);
    for (const paid of [0, 1, 400, 1024]) {
      const step = paymentStep(c(CheckoutStatus.New), paid);
      expect(step).toMatchObject({ outcome: 'underpaid', status: CheckoutStatus.New, additionalStatus: AdditionalStatus.PaidPartial });
    }
  });

  it('a repeated report of an underpayment changes nothing more', () => {
    expect(paymentStep(c(CheckoutStatus.New, 1025, AdditionalStatus.PaidPartial), 400)).toBeNull();
  });

  it('money taken after expiry or cancel is PaidLate, whatever the amount; a settled checkout is final', () => {
    for (const status of [CheckoutStatus.Expired, CheckoutStatus.Invalid]) {
      expect(paymentStep(c(status), 1)).toMatchObject({ outcome: 'paid_late', status, additionalStatus: AdditionalStatus.PaidLate });
      expect(paymentStep(c(status, 1025, AdditionalStatus.PaidLate), 1025)).toBeNull();
    }
    expect(paymentStep(c(CheckoutStatus.Settled), 1025)).toBeNull();
  });
});
