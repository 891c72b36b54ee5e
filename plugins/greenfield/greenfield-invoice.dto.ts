import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  registerDecorator,
} from 'class-validator';

function IsGreenfieldAmount() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isGreenfieldAmount',
      target: target.constructor,
      propertyName,
      options: { message: 'amount must be a positive decimal (string or number) with at most 8 decimals' },
      validator: {
        validate(value: unknown) {
          const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
          return typeof text === 'string' && /^\d{1,16}(\.\d{1,8})?$/.test(text) && /[1-9]/.test(text);
        },
      },
    });
}

function IsSmallJson(maxBytes: number) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isSmallJson',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be at most ${maxBytes} bytes of JSON` },
      validator: { validate: (value: unknown) => JSON.stringify(value ?? null).length <= maxBytes },
    });
}

/**
 * BTCPay's `checkout` options. Every field BTCPay documents is accepted so shop plugins work
 * unchanged; the ones without a Lightning meaning (speed policy, tolerance) are ignored.
 */
export class GreenfieldCheckoutOptions {
  @IsOptional() @IsString() speedPolicy?: string;
  @IsOptional() @IsArray() paymentMethods?: string[];
  @IsOptional() @IsString() defaultPaymentMethod?: string;
  @IsOptional() @IsInt() @Min(1) @Max(7 * 24 * 60) expirationMinutes?: number;
  @IsOptional() @IsInt() @Min(0) monitoringMinutes?: number;
  @IsOptional() @IsNumber() paymentTolerance?: number;
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'checkout.redirectURL must be an http(s) URL' })
  redirectURL?: string;
  @IsOptional() @IsBoolean() redirectAutomatically?: boolean;
  @IsOptional() @IsBoolean() requiresRefundEmail?: boolean;
  @IsOptional() @IsString() checkoutType?: string;
  @IsOptional() @IsString() defaultLanguage?: string;
  @IsOptional() @IsBoolean() lazyPaymentMethods?: boolean;
}

export class CreateGreenfieldInvoiceDto {
  /** Absent or null: a top-up invoice (the customer pays what they choose), as in BTCPay. */
  @IsOptional() @IsGreenfieldAmount() amount?: string | number | null;
  @IsOptional() @IsString() @Matches(/^[A-Za-z]{3,4}$/, { message: 'currency must be SATS, BTC or a 3-letter currency code' }) currency?: string;
  /** Free-form; `orderId`, `itemDesc`, `buyerEmail`, `orderUrl` are the well-known keys. */
  @IsOptional() @IsObject() @IsSmallJson(8192) metadata?: Record<string, unknown> | null;
  @IsOptional() @ValidateNested() @Type(() => GreenfieldCheckoutOptions) checkout?: GreenfieldCheckoutOptions | null;
  @IsOptional() @IsObject() receipt?: Record<string, unknown>;
  @IsOptional() @IsArray() @IsString({ each: true }) additionalSearchTerms?: string[];
  @IsOptional() @IsString() type?: string;
}

/** BTCPay's UpdateInvoiceRequest: the new metadata, replacing the old. */
export class UpdateGreenfieldInvoiceDto {
  @IsOptional() @IsObject() @IsSmallJson(8192) metadata?: Record<string, unknown> | null;
}

export class MarkInvoiceStatusDto {
  @IsIn(['Invalid', 'Settled'], { message: 'status must be Invalid or Settled' }) status: 'Invalid' | 'Settled';
}

const MAX_UNIX_SECONDS = 253_402_300_799;

const asArray = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
const asInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

export class ListGreenfieldInvoicesQuery {
  @IsOptional() @Transform(asArray) @IsArray() @IsString({ each: true }) @MaxLength(200, { each: true }) orderId?: string[];
  @IsOptional() @Transform(asArray) @IsArray() @IsIn(['New', 'Processing', 'Expired', 'Invalid', 'Settled'], { each: true }) status?: string[];
  @IsOptional() @Transform(asInt) @IsInt() @Min(0) skip?: number;
  @IsOptional() @Transform(asInt) @IsInt() @Min(1) @Max(1000) take?: number;
  /** Unix seconds, up to the year 9999 (a larger one is no date: it would reach the database as NaN). */
  @IsOptional() @Transform(asInt) @IsInt() @Min(0) @Max(MAX_UNIX_SECONDS) startDate?: number;
  @IsOptional() @Transform(asInt) @IsInt() @Min(0) @Max(MAX_UNIX_SECONDS) endDate?: number;
  @IsOptional() @IsString() @MaxLength(200) textSearch?: string;
  @IsOptional() @Transform(({ value }) => value === 'true' || value === true) @IsBoolean() includeArchived?: boolean;
}
