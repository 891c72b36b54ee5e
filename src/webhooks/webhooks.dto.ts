import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { CHECKOUT_EVENT_TYPES } from '../checkout/checkout-status';
import { WEBHOOK_FORMATS, type WebhookFormat } from './webhook-endpoint.entity';

const URL_RULES = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };
const EVENTS_MESSAGE = `each value in events must be one of ${CHECKOUT_EVENT_TYPES.join(', ')}`;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://shop.example/webhooks/lightning' })
  @IsString()
  @MaxLength(2000)
  @IsUrl(URL_RULES, { message: 'url must be an http or https URL' })
  url: string;

  @ApiPropertyOptional({ isArray: true, enum: CHECKOUT_EVENT_TYPES, description: 'Event types to send; empty or absent means all' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(CHECKOUT_EVENT_TYPES, { each: true, message: EVENTS_MESSAGE })
  events?: string[];

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_FORMATS,
    default: 'standard',
    description:
      "Body shape: 'standard', or 'btcpay' for receivers written for BTCPay Server (its event names and fields, e.g. a late payment as InvoiceReceivedPayment with afterExpiration: true)",
  })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS, { message: `format must be one of ${WEBHOOK_FORMATS.join(', ')}` })
  format?: WebhookFormat;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Bring your own secret: whsec_ + base64 of 24-64 bytes, or 16-128 visible ASCII characters. Generated when absent or null.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string | null;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) @IsUrl(URL_RULES, { message: 'url must be an http or https URL' }) url?: string;
  @ApiPropertyOptional({ isArray: true, enum: CHECKOUT_EVENT_TYPES })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(CHECKOUT_EVENT_TYPES, { each: true, message: EVENTS_MESSAGE })
  events?: string[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS, { message: `format must be one of ${WEBHOOK_FORMATS.join(', ')}` })
  format?: WebhookFormat;
}

export class RotateSecretDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The new secret; generated when absent or null' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string | null;
  @ApiPropertyOptional({ description: 'How long deliveries keep a second signature made with the old secret (0 = stop at once)', default: 86400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 86400)
  previousSecretTtlSeconds?: number;
}

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'])
  status?: 'pending' | 'succeeded' | 'failed';
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
