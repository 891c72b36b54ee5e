import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { CheckoutStatus } from './checkout-status';
import { PRINTABLE } from '../common/printable';

/** A positive decimal amount given as a string ("12.50") or a JSON number; at most 8 decimals. */
function IsAmount(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAmount',
      target: target.constructor,
      propertyName,
      options: { message: 'amount must be a positive decimal with at most 8 decimals, as a string or number', ...options },
      validator: {
        validate(value: unknown) {
          const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
          return typeof text === 'string' && /^\d{1,16}(\.\d{1,8})?$/.test(text) && /[1-9]/.test(text);
        },
      },
    });
}

function IsSmallJson(maxBytes: number, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isSmallJson',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be at most ${maxBytes} bytes of JSON`, ...options },
      validator: { validate: (value: unknown) => JSON.stringify(value ?? null).length <= maxBytes },
    });
}

const NOT_PRINTABLE = (field: string) => `${field} must not contain control characters or bidirectional overrides`;

export class CreateCheckoutDto {
  @ApiProperty({
    oneOf: [
      { type: 'string', pattern: '^\\d{1,16}(\\.\\d{1,8})?$' },
      { type: 'number', minimum: 0 },
    ],
    example: '12.50',
    description: 'Price in `currency`, above 0: a decimal string (preferred: exact) or a JSON number; at most 8 decimals, and no more than the currency has',
  })
  @IsAmount()
  amount: string | number;

  @ApiPropertyOptional({ example: 'SATS', pattern: '^[A-Za-z]{3,4}$', description: 'SATS, BTC or a fiat code known to the rate provider', default: 'SATS' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{3,4}$/, { message: 'currency must be SATS, BTC or a 3-letter currency code' })
  currency?: string;

  @ApiPropertyOptional({ example: 'order-1001', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(PRINTABLE, { message: NOT_PRINTABLE('orderId') })
  orderId?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: 'Keeps a returning customer on the same node of a pool' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(PRINTABLE, { message: NOT_PRINTABLE('customerId') })
  customerId?: string;
  @ApiPropertyOptional({ example: 'Two coffees', maxLength: 500, description: 'Shown on the page; the invoice carries as much as BOLT11 holds' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(PRINTABLE, { message: NOT_PRINTABLE('description') })
  description?: string;

  @ApiPropertyOptional({
    example: 'https://shop.example/thanks',
    format: 'uri',
    maxLength: 2000,
    description: 'Where the hosted page sends the customer once paid',
  })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'redirectUrl must be an http(s) URL' })
  @MaxLength(2000)
  redirectUrl?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 60,
    maximum: 7 * 86400,
    description: 'Seconds until the invoice expires (default: checkout.expirySeconds in the config)',
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(7 * 86400)
  expirySeconds?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form data returned with the checkout and its webhooks: at most 8192 bytes of JSON',
  })
  @IsOptional()
  @IsObject()
  @IsSmallJson(8192)
  metadata?: Record<string, unknown>;
}

export class ListCheckoutsQuery {
  @ApiPropertyOptional({ enum: CheckoutStatus, enumName: 'CheckoutStatus' })
  @IsOptional()
  @IsIn(Object.values(CheckoutStatus), { message: `status must be one of ${Object.values(CheckoutStatus).join(', ')}` })
  status?: CheckoutStatus;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) orderId?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  // Bounded: past 2^63 the database cannot even compare it (SQLITE_MISMATCH was a 500).
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  offset?: number;
}
