import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { toAuthorizedEvents, toOurEvents } from './greenfield-webhook-events';

describe('Greenfield webhook event mapping', () => {
  it('treats a missing filter or everything=true as every event', () => {
    expect(toOurEvents(undefined)).toEqual([]);
    expect(toOurEvents({ everything: true, specificEvents: ['InvoiceSettled'] })).toEqual([]);
    expect(toAuthorizedEvents([])).toEqual({ everything: true, specificEvents: [] });
  });

  it('maps BTCPay payment events onto settlement, including late payments', () => {
    expect(toOurEvents({ everything: false, specificEvents: ['InvoiceReceivedPayment', 'InvoiceExpired'] })!.sort()).toEqual(
      [CheckoutEventType.InvoiceSettled, CheckoutEventType.InvoicePaidAfterExpiration, CheckoutEventType.InvoiceExpired].sort(),
    );
    expect(toOurEvents({ everything: false, specificEvents: ['InvoiceProcessing', 'InvoiceSettled'] })).toEqual([CheckoutEventType.InvoiceSettled]);
  });

  it('returns null when only events we never send were asked for', () => {
    expect(toOurEvents({ everything: false, specificEvents: ['PayoutCreated'] })).toBeNull();
    expect(toOurEvents({ everything: false, specificEvents: [] })).toBeNull();
  });
});
