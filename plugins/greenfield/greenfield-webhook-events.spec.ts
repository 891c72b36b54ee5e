import { toAuthorizedEvents, toStoredEvents } from './greenfield-webhook-events';

describe('Greenfield webhook event filter', () => {
  it('treats a missing filter or everything=true as every event', () => {
    expect(toStoredEvents(undefined)).toEqual([]);
    expect(toStoredEvents(null)).toEqual([]);
    expect(toStoredEvents({ everything: true, specificEvents: ['InvoiceSettled'] })).toEqual([]);
    expect(toAuthorizedEvents([])).toEqual({ everything: true, specificEvents: [] });
  });

  it('keeps the BTCPay names it can send, as given', () => {
    expect(
      toStoredEvents({ everything: false, specificEvents: ['InvoiceReceivedPayment', 'InvoicePaymentSettled', 'PayoutCreated', 'InvoiceReceivedPayment'] }),
    ).toEqual(['InvoiceReceivedPayment', 'InvoicePaymentSettled']);
    expect(toAuthorizedEvents(['InvoiceSettled'])).toEqual({ everything: false, specificEvents: ['InvoiceSettled'] });
  });

  it('returns null when only events we never send were asked for', () => {
    expect(toStoredEvents({ everything: false, specificEvents: ['PayoutCreated', 'InvoiceExpiredPaidPartial'] })).toBeNull();
    expect(toStoredEvents({ everything: false, specificEvents: [] })).toBeNull();
    expect(toStoredEvents({ everything: false, specificEvents: null })).toBeNull();
  });
});
