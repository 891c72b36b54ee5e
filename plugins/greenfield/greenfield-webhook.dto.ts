import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsOptional, IsString, IsUrl, MaxLength, ValidateNested } from 'class-validator';

const URL_RULES = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

export class GreenfieldAuthorizedEvents {
  @IsOptional() @IsBoolean() everything?: boolean | null;
  @IsOptional() @IsArray() @IsString({ each: true }) @MaxLength(100, { each: true }) specificEvents?: string[] | null;
}

/** BTCPay's webhook body; `url` is required on create, optional on update. null means "unchanged", as BTCPay reads it. */
export class UpdateGreenfieldWebhookDto {
  /** BTCPay ignores a client-chosen id too. */
  @IsOptional() @IsString() id?: string | null;
  @IsOptional() @IsBoolean() enabled?: boolean | null;
  /** Deliveries are always retried with backoff; accepted for compatibility. */
  @IsOptional() @IsBoolean() automaticRedelivery?: boolean | null;
  @IsOptional() @IsString() @MaxLength(2000) @IsUrl(URL_RULES, { message: 'url must be an http or https URL' }) url?: string | null;
  @IsOptional() @ValidateNested() @Type(() => GreenfieldAuthorizedEvents) authorizedEvents?: GreenfieldAuthorizedEvents | null;
  @IsOptional() @IsString() @MaxLength(200) secret?: string | null;
}

export class CreateGreenfieldWebhookDto extends UpdateGreenfieldWebhookDto {
  @IsString() @MaxLength(2000) @IsUrl(URL_RULES, { message: 'url must be an http or https URL' }) declare url: string;
}
