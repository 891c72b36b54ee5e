import { Type } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsString, IsUrl, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { IsStoreId } from '../../src/plugin-api';

/** One WooCommerce site, feeding one of our stores. */
export class WooCommerceSite {
  /** Our store the site's orders become checkouts in; also the `:storeId` of the webhook URL. */
  @IsStoreId() storeId: string;
  /** The site's address, e.g. https://shop.example (the REST API is under /wp-json/wc/v3). */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'url must be the http(s) address of the WordPress site' })
  url: string;
  /** REST API key with read/write access (WooCommerce → Settings → Advanced → REST API). */
  @IsString() @MinLength(1, { message: 'consumerKey is required (ck_...)' }) consumerKey: string;
  @IsString() @MinLength(1, { message: 'consumerSecret is required (cs_...)' }) consumerSecret: string;
  /** The secret typed into the WooCommerce webhook (Settings → Advanced → Webhooks). */
  @IsString() @MinLength(8, { message: 'webhookSecret must be at least 8 characters' }) webhookSecret: string;
  /** The payment method id orders must carry to be paid over Lightning. */
  @IsString() @MinLength(1) gatewayId: string = 'lightning';
}

export class WooCommerceOptions {
  @IsArray()
  @ArrayMinSize(1, { message: 'sites must list at least one WooCommerce site' })
  // Order ids are only unique within one site, and the webhook URL names the store.
  @ArrayUnique((site: WooCommerceSite) => site?.storeId, { message: 'sites must name each storeId once' })
  @ValidateNested({ each: true })
  @Type(() => WooCommerceSite)
  sites: WooCommerceSite[];
  /**
   * What an unpaid order becomes when its invoice expires or is canceled. `cancelled` is what
   * WooCommerce itself does to unpaid orders (and it restocks); `failed` keeps the order payable again.
   */
  @IsIn(['cancelled', 'failed']) expiredStatus: 'cancelled' | 'failed' = 'cancelled';
  /** Add the payment link to the order as a customer note (WooCommerce e-mails it to the customer). */
  @IsBoolean() addCheckoutNote: boolean = true;
  @IsInt() @Min(500) @Max(120_000) timeoutMs: number = 10_000;
}
