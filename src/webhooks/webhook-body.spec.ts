import { CheckoutEventType } from '../checkout/checkout-status';
import { btcpayEvents, buildPayload } from './webhook-body';

const checkout = {
  id: 'chk1',
  orderId: 'wc-7',
  metadata: { cart: 3 },
  amountSats: 2000,
  amountPaidSats: 2000,
  paymentHash: 'ab'.repeat(32),
  bolt11: 'lnbcrt20u1...',
  settledAt: '2026-11-23T10:00:05.000Z',
};
const event = (type: CheckoutEventType) => ({
  id: 'evt_1',
  type,
  storeId: 'store1',
  checkoutId: 'chk1',
  createdAt: new Date('2026-11-23T10:00:06.000Z'),
  payload: { checkout },
});

describe('webhook body', () => {
  it('standard: our event name, the checkout as data, BTCPay ids alongside', () => {
    const body = buildPayload('dlv_1', { id: 'wh1', format: 'standard' }, event(CheckoutEventType.InvoicePaidAfterExpiration));
    expect(body).toEqual({
      id: 'dlv_1',
      deliveryId: 'dlv_1',
      webhookId: 'wh1',
      originalDeliveryId: 'dlv_1',
      isRedelivery: false,
      type: 'InvoicePaidAfterExpiration',
      timestamp: Date.parse('2026-11-23T10:00:06.000Z') / 1000,
      eventId: 'evt_1',
      storeId: 'store1',
      invoiceId: 'chk1',
      checkoutId: 'chk1',
      metadata: { cart: 3, orderId: 'wc-7' },
      data: checkout,
    });
  });

  it('btcpay: a late payment is InvoiceReceivedPayment, InvoicePaymentSettled (afterExpiration) and InvoicePaidAfterExpiration, as BTCPay 2.x sends it', () => {
    const events = btcpayEvents(CheckoutEventType.InvoicePaidAfterExpiration, checkout);
    expect(events.map((e) => e.type)).toEqual(['InvoiceReceivedPayment', 'InvoicePaymentSettled', 'InvoicePaidAfterExpiration']);
    const payment = {
      id: checkout.paymentHash,
      receivedDate: Date.parse('2026-11-23T10:00:05.000Z') / 1000,
      value: '0.00002000',
      fee: '0',
      status: 'Settled',
      destination: checkout.bolt11,
    };
    expect(events[0]).toEqual({ type: 'InvoiceReceivedPayment', afterExpiration: true, paymentMethodId: 'BTC-LN', payment });
    expect(events[1]).toEqual({ type: 'InvoicePaymentSettled', afterExpiration: true, paymentMethodId: 'BTC-LN', payment });
    const body = buildPayload('dlv_2', { id: 'wh1', format: 'btcpay' }, event(CheckoutEventType.InvoicePaidAfterExpiration), events[1]) as unknown as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({ type: 'InvoicePaymentSettled', afterExpiration: true, invoiceId: 'chk1', deliveryId: 'dlv_2', metadata: { orderId: 'wc-7' } });
  });

  it('btcpay: a settlement is received, settled, processing and settled, as BTCPay records a Lightning payment', () => {
    const events = btcpayEvents(CheckoutEventType.InvoiceSettled, checkout);
    expect(events.map((e) => e.type)).toEqual(['InvoiceReceivedPayment', 'InvoicePaymentSettled', 'InvoiceProcessing', 'InvoiceSettled']);
    expect(events[0]).toMatchObject({ afterExpiration: false });
    expect(events[3]).toEqual({ type: 'InvoiceSettled', manuallyMarked: false, overPaid: false });
    expect(btcpayEvents(CheckoutEventType.InvoiceSettled, { ...checkout, amountPaidSats: 2500 })[2]).toEqual({ type: 'InvoiceProcessing', overPaid: true });
    // A top-up (no amount) is never overpaid.
    expect(btcpayEvents(CheckoutEventType.InvoiceSettled, { ...checkout, amountSats: 0 })[3]).toMatchObject({ overPaid: false });
  });

  it('btcpay: the other events keep their names and gain BTCPay’s flags', () => {
    const of = (type: CheckoutEventType) => buildPayload('d', { id: 'wh1', format: 'btcpay' }, event(type)) as unknown as Record<string, unknown>;
    expect(of(CheckoutEventType.InvoiceExpired)).toMatchObject({ type: 'InvoiceExpired', partiallyPaid: false });
    expect(of(CheckoutEventType.InvoiceInvalid)).toMatchObject({ type: 'InvoiceInvalid', manuallyMarked: true });
    expect(of(CheckoutEventType.InvoiceCreated)).toMatchObject({ type: 'InvoiceCreated' });
    expect(of(CheckoutEventType.InvoiceCreated)).not.toHaveProperty('afterExpiration');
  });
});
