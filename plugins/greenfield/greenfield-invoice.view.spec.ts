import { AdditionalStatus, type CheckoutRecord, CheckoutStatus } from '../../src/plugin-api';
import { greenfieldInvoice, greenfieldPaymentMethod } from './greenfield-invoice.view';

// The fields the view reads; the rest of a stored checkout does not matter here.
const checkout = (over: Partial<CheckoutRecord> = {}): CheckoutRecord =>
  ({
    id: 'abc',
    storeId: 'store1',
    status: CheckoutStatus.New,
    additionalStatus: AdditionalStatus.None,
    amountSats: 12500,
    currency: 'USD',
    amount: '12.5',
    rate: '1000',
    orderId: 'o-1',
    metadata: { itemDesc: 'Mug' },
    redirectUrl: null,
    bolt11: 'lnbcrt125u1xyz',
    paymentHash: 'ff'.repeat(32),
    createdAt: new Date('2026-01-01T00:00:00.500Z'),
    expiresAt: new Date('2026-01-01T00:15:00.500Z'),
    settledAt: null,
    amountPaidSats: null,
    ...over,
  }) as CheckoutRecord;

describe('Greenfield invoice view', () => {
  it('uses BTCPay names and units: unix seconds, string amounts, orderId in metadata', () => {
    const view = greenfieldInvoice(checkout(), 'https://pay.example/');
    expect(view).toMatchObject({
      id: 'abc',
      amount: '12.5',
      currency: 'USD',
      checkoutLink: 'https://pay.example/i/abc',
      createdTime: 1767225600,
      expirationTime: 1767226500,
      status: 'New',
      additionalStatus: 'None',
      metadata: { orderId: 'o-1', itemDesc: 'Mug' },
      checkout: { expirationMinutes: 15, redirectURL: null, redirectAutomatically: false },
      availableStatusesForManualMarking: ['Invalid'],
    });
  });

  it.each([
    [CheckoutStatus.Settled, AdditionalStatus.None, 'Settled', 'None'],
    [CheckoutStatus.Expired, AdditionalStatus.None, 'Expired', 'None'],
    [CheckoutStatus.Expired, AdditionalStatus.PaidLate, 'Expired', 'PaidLate'],
    [CheckoutStatus.Invalid, AdditionalStatus.None, 'Invalid', 'Marked'],
    [CheckoutStatus.Invalid, AdditionalStatus.PaidLate, 'Invalid', 'PaidLate'],
  ])('maps %s/%s to status %s, additionalStatus %s', (status, additional, expected, expectedAdditional) => {
    const view = greenfieldInvoice(checkout({ status, additionalStatus: additional }), 'https://pay.example');
    expect([view.status, view.additionalStatus]).toEqual([expected, expectedAdditional]);
    expect(view.availableStatusesForManualMarking).toEqual([]);
  });

  it('keeps a merchant-given metadata.orderId over the checkout orderId', () => {
    expect(greenfieldInvoice(checkout({ metadata: { orderId: 'theirs' } }), 'https://x').metadata.orderId).toBe('theirs');
  });

  it('reports the Lightning payment in BTC with the BTC price of the invoice currency', () => {
    expect(greenfieldPaymentMethod(checkout())).toMatchObject({
      paymentMethodId: 'BTC-LN',
      amount: '0.00012500',
      due: '0.00012500',
      totalPaid: '0.00000000',
      rate: '100000.00000000',
      payments: [],
    });
    const paid = greenfieldPaymentMethod(checkout({ status: CheckoutStatus.Settled, amountPaidSats: 12500, settledAt: new Date('2026-01-01T00:01:00Z') }));
    expect(paid).toMatchObject({ due: '0.00000000', totalPaid: '0.00012500', payments: [{ receivedDate: 1767225660, status: 'Settled' }] });
  });

  it('has a string rate for every currency, and BTCPay 2.x names only', () => {
    expect(greenfieldPaymentMethod(checkout({ currency: 'SATS', rate: null })).rate).toBe('100000000.00000000');
    expect(greenfieldPaymentMethod(checkout({ currency: 'BTC', rate: '100000000' })).rate).toBe('1.00000000');
    const method = greenfieldPaymentMethod(checkout());
    expect(method).not.toHaveProperty('paymentMethod');
    expect(method).not.toHaveProperty('networkFee');
    expect(method).toMatchObject({ paymentMethodId: 'BTC-LN', currency: 'BTC', paymentMethodFee: '0.00000000' });
  });

  it('shows a checkout without an amount as a TopUp, for what was paid once it is', () => {
    const open = checkout({ amountSats: 0, amount: '0', currency: 'SATS', rate: null });
    expect(greenfieldInvoice(open, 'https://x')).toMatchObject({ type: 'TopUp', amount: '0' });
    expect(greenfieldPaymentMethod(open)).toMatchObject({ amount: '0.00000000', due: '0.00000000' });
    const paid = { status: CheckoutStatus.Settled, amountPaidSats: 2500, settledAt: new Date('2026-01-01T00:01:00Z') };
    expect(greenfieldInvoice(checkout({ ...paid, amountSats: 0, amount: '0', currency: 'SATS', rate: null }), 'https://x').amount).toBe('2500');
    expect(greenfieldInvoice(checkout({ ...paid, amountSats: 0, amount: '0', currency: 'USD', rate: '1000' }), 'https://x').amount).toBe('2.5');
    expect(greenfieldInvoice(checkout({ ...paid, amountSats: 0, amount: '0', currency: 'BTC', rate: '100000000' }), 'https://x').amount).toBe('0.000025');
    expect(greenfieldPaymentMethod(checkout({ ...paid, amountSats: 0 }))).toMatchObject({ amount: '0.00002500', totalPaid: '0.00002500', due: '0.00000000' });
  });
});
