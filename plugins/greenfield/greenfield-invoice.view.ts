import { AdditionalStatus, type CheckoutRecord, CheckoutStatus, fractionToDecimal, lockedBtcRate, priceFromDecimal, satsToBtc } from '../../src/plugin-api';

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** A checkout created without an amount takes whatever is paid (BTCPay's top-up invoice). */
export const isTopUp = (c: CheckoutRecord) => c.amountSats === 0;

/** What a top-up invoice is for: nothing until paid, then what was paid, in the invoice currency (exact, cut at 8 decimals). */
function topUpAmount(c: CheckoutRecord): string {
  const paid = c.amountPaidSats ?? 0;
  if (paid === 0) return '0';
  if (c.currency === 'SATS') return String(paid);
  const price = priceFromDecimal(lockedBtcRate(c));
  return fractionToDecimal(BigInt(paid) * price.num, 100_000_000n * price.den, 8);
}

/** A checkout as BTCPay's InvoiceData: the field names and units existing shop plugins parse. */
export function greenfieldInvoice(c: CheckoutRecord, publicUrl: string) {
  const metadata: Record<string, unknown> = { ...(c.metadata ?? {}) };
  if (c.orderId && metadata.orderId === undefined) metadata.orderId = c.orderId;
  const expirationMinutes = Math.max(1, Math.round((c.expiresAt.getTime() - c.createdAt.getTime()) / 60000));
  return {
    id: c.id,
    storeId: c.storeId,
    amount: isTopUp(c) ? topUpAmount(c) : c.amount,
    currency: c.currency,
    type: isTopUp(c) ? 'TopUp' : 'Standard',
    checkoutLink: `${publicUrl.replace(/\/$/, '')}/i/${c.id}`,
    createdTime: unix(c.createdAt),
    expirationTime: unix(c.expiresAt),
    monitoringExpiration: unix(c.expiresAt),
    status: c.status,
    additionalStatus: c.status === CheckoutStatus.Invalid && c.additionalStatus === AdditionalStatus.None ? 'Marked' : c.additionalStatus,
    availableStatusesForManualMarking: c.status === CheckoutStatus.New ? ['Invalid'] : [],
    archived: c.archived === true,
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
export function greenfieldPaymentMethod(c: CheckoutRecord) {
  const paid = c.amountPaidSats ?? 0;
  // BTCPay 2.x field names (1.x's `paymentMethod`, `cryptoCode` and `networkFee` are gone); amounts in BTC as strings.
  return {
    paymentMethodId: 'BTC-LN',
    currency: 'BTC',
    destination: c.bolt11,
    paymentLink: `lightning:${c.bolt11}`,
    rate: lockedBtcRate(c, 8),
    amount: satsToBtc(isTopUp(c) ? paid : c.amountSats),
    due: satsToBtc(Math.max(0, c.amountSats - paid)),
    totalPaid: satsToBtc(paid),
    paymentMethodPaid: satsToBtc(paid),
    paymentMethodFee: '0.00000000',
    payments: c.settledAt
      ? [{ id: c.paymentHash, receivedDate: unix(c.settledAt), value: satsToBtc(paid), fee: '0.00000000', status: 'Settled', destination: c.bolt11 }]
      : [],
    activated: true,
    additionalData: { paymentHash: c.paymentHash },
  };
}
