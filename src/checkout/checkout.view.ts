import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { Checkout } from './checkout.entity';
import { AdditionalStatus, CheckoutStatus } from './checkout-status';
import { LOCKED_RATE_SCHEMA, lockedRateView, LockedRateView } from '../rates/locked-rate';

const DECIMAL = '^\\d+(\\.\\d+)?$';
const dateTime = (description?: string, nullable = false) => ({ type: String, format: 'date-time', nullable, ...(description ? { description } : {}) });

/** A checkout as the API shows it (one class: the answer's type and its OpenAPI schema). */
export class CheckoutView {
  @ApiProperty({ example: 'Xk3b0gCq1xJb5mZ2q9Lw7A' }) id: string;
  @ApiProperty() storeId: string;
  @ApiProperty({ enum: CheckoutStatus, enumName: 'CheckoutStatus' }) status: CheckoutStatus;
  @ApiProperty({ enum: AdditionalStatus, enumName: 'AdditionalStatus' }) additionalStatus: AdditionalStatus;
  @ApiProperty({ type: String, pattern: DECIMAL, example: '12.50', description: 'The price in `currency`, as a decimal string' }) amount: string;
  @ApiProperty({ example: 'USD', description: 'SATS, BTC or an ISO 4217 code, upper case' }) currency: string;
  @ApiProperty({ type: 'integer', example: 12500 }) amountSats: number;
  /** Sats per one unit of `currency` (cut after 8 decimals; exchangeRate.rate is the exact figure). */
  @ApiProperty({
    type: String,
    nullable: true,
    pattern: DECIMAL,
    description: 'Sats per one unit of `currency` (cut after 8 decimals; `exchangeRate.rate` is the exact figure)',
  })
  rate: string | null;
  /** The rate locked at creation, for fiat prices: amountSats = ceil(amount * 1e8 / exchangeRate.rate). */
  @ApiProperty({
    ...LOCKED_RATE_SCHEMA,
    nullable: true,
    description: 'The rate locked at creation, for fiat prices: amountSats = ceil(amount * 1e8 / exchangeRate.rate)',
  } as ApiPropertyOptions)
  exchangeRate: LockedRateView | null;
  @ApiProperty({ type: String, nullable: true }) orderId: string | null;
  @ApiProperty({ type: String, nullable: true }) customerId: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) redirectUrl: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) metadata: Record<string, unknown> | null;
  @ApiProperty({ description: 'The BOLT11 invoice' }) bolt11: string;
  /** Upper-case, so QR codes use the compact alphanumeric mode. */
  @ApiProperty({ example: 'LIGHTNING:LNBC...', description: 'Upper-case, so QR codes use the compact alphanumeric mode' }) lightningUri: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) paymentHash: string;
  @ApiProperty({ format: 'uri', description: 'The hosted checkout page' }) checkoutLink: string;
  @ApiProperty() nodeName: string;
  @ApiProperty({ pattern: '^[0-9a-f]{66}$' }) nodePubkey: string;
  @ApiProperty(dateTime()) expiresAt: string;
  @ApiProperty(dateTime()) createdAt: string;
  @ApiProperty(dateTime(undefined, true)) settledAt: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'What was paid, once anything was (may be below amountSats: PaidPartial)' }) amountPaidSats:
    number | null;
}

export class CheckoutPage {
  @ApiProperty({ type: [CheckoutView] }) items: CheckoutView[];
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}

export function checkoutView(c: Checkout, publicUrl: string): CheckoutView {
  return {
    id: c.id,
    storeId: c.storeId,
    status: c.status,
    additionalStatus: c.additionalStatus,
    amount: c.amount,
    currency: c.currency,
    amountSats: c.amountSats,
    rate: c.rate,
    exchangeRate: lockedRateView(c),
    orderId: c.orderId,
    customerId: c.customerId,
    description: c.description,
    redirectUrl: c.redirectUrl,
    metadata: c.metadata,
    bolt11: c.bolt11,
    lightningUri: `LIGHTNING:${c.bolt11.toUpperCase()}`,
    paymentHash: c.paymentHash,
    checkoutLink: `${publicUrl.replace(/\/$/, '')}/i/${c.id}`,
    nodeName: c.nodeName,
    nodePubkey: c.nodePubkey,
    expiresAt: c.expiresAt.toISOString(),
    createdAt: c.createdAt.toISOString(),
    settledAt: c.settledAt ? c.settledAt.toISOString() : null,
    amountPaidSats: c.amountPaidSats,
  };
}
