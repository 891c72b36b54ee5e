import { Checkout } from '../../src/checkout/checkout.entity';
import { AdditionalStatus, CheckoutStatus } from '../../src/checkout/checkout-status';
import { satsToBtc } from '../../src/rates/decimal';
import { lockedBtcRate } from '../../src/rates/locked-rate';

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** A checkout as BTCPay's InvoiceData: the field names and units existing shop plugins parse. */
export function greenfieldInvoice(c: Checkout, publicUrl: string) {
  const metadata: Record<string, unknown> = { ...(c.metadata ?? {}) };
  if (c.orderId && metadata.orderId === undefined) metadata.orderId = c.orderId;
  const expirationMinutes = Math.max(1, Math.round((c.expiresAt.getTime() - c.createdAt.getTime()) / 60000));
  return {
    id: c.id,
    storeId: c.storeId,
    amount: c.amount,
    currency: c.currency,
    type: 'Standard',
    checkoutLink: `${publicUrl.replace(/\/$/, '')}/i/${c.id}`,
    createdTime: unix(c.createdAt),
    expirationTime: unix(c.expiresAt),
    monitoringExpiration: unix(c.expiresAt),
    status: c.status,
    additionalStatus: c.status === CheckoutStatus.Invalid && c.additionalStatus === AdditionalStatus.None ? 'Marked' : c.additionalStatus,
    availableStatusesForManualMarking: c.status === CheckoutStatus.New ? ['Invalid'] : [],
    archived: false,
    metadata,
    checkout: {
      speedPolicy: 'HighSpeed',
      paymentMethods: ['BTC-LN'],
      defaultPaymentMethod: 'BTC-LN',
      expirationMinutes,
      monitoringMinutes: expirationMinutes,
      paymentTolerance: 0,
      redirectURL: c.redirectUrl,
      redirectAutomatically: c.redirectUrl !== null,
      requiresRefundEmail: false,
      defaultLanguage: null,
      checkoutType: null,
      lazyPaymentMethods: false,
    },
    receipt: { enabled: true, showQR: null, showPayments: null },
  };
}

/** BTCPay's invoice payment-method entry, for plugins that render the payment themselves. */
export function greenfieldPaymentMethod(c: Checkout) {
  const paid = c.amountPaidSats ?? 0;
  return {
    paymentMethod: 'BTC-LightningNetwork',
    paymentMethodId: 'BTC-LN',
    cryptoCode: 'BTC',
    currency: 'BTC',
    destination: c.bolt11,
    paymentLink: `lightning:${c.bolt11}`,
    rate: lockedBtcRate(c, 8),
    amount: satsToBtc(c.amountSats),
    due: satsToBtc(Math.max(0, c.amountSats - paid)),
    totalPaid: satsToBtc(paid),
    paymentMethodPaid: satsToBtc(paid),
    networkFee: '0.00000000',
    paymentMethodFee: '0.00000000',
    payments: c.settledAt ? [{ id: c.paymentHash, receivedDate: unix(c.settledAt), value: satsToBtc(paid), fee: '0.00000000', status: 'Settled', destination: c.bolt11 }] : [],
    activated: true,
    additionalData: { paymentHash: c.paymentHash },
  };
}
