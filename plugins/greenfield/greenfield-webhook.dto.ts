import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsOptional, IsString, IsUrl, MaxLength, ValidateNested } from 'class-validator';

const URL_RULES = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

export class GreenfieldAuthorizedEvents {
  @IsOptional() @IsBoolean() everything?: boolean;
  @IsOptional() @IsArray() @IsString({ each: true }) specificEvents?: string[];
}

/** BTCPay's webhook body; `url` is required on create, optional on update. */
export class UpdateGreenfieldWebhookDto {
  /** BTCPay ignores a client-chosen id too. */
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsBoolean() enabled?: boolean;
  /** Deliveries are always retried with backoff; accepted for compatibility. */
  @IsOptional() @IsBoolean() automaticRedelivery?: boolean;
  @IsOptional() @IsString() @MaxLength(2000) @IsUrl(URL_RULES, { message: 'url must be an http or https URL' }) url?: string;
  @IsOptional() @ValidateNested() @Type(() => GreenfieldAuthorizedEvents) authorizedEvents?: GreenfieldAuthorizedEvents;
  @IsOptional() @IsString() @MaxLength(200) secret?: string;
}

export class CreateGreenfieldWebhookDto extends UpdateGreenfieldWebhookDto {
  @IsString() @MaxLength(2000) @IsUrl(URL_RULES, { message: 'url must be an http or https URL' }) declare url: string;
}
