import { Type } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsInt, IsString, Matches, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { IsStoreId } from '../../src/plugin-api';

/** One Shopify shop (a custom app installed on it), feeding one of our stores. */
export class ShopifyShop {
  /** Our store the shop's orders become checkouts in; also the `:storeId` of the webhook URL. */
  @IsStoreId() storeId: string;
  /** `my-shop.myshopify.com` (or a full URL, e.g. a local fake in tests). */
  @IsString() @Matches(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?\/?$/, { message: 'shop must be the shop domain, e.g. my-shop.myshopify.com' }) shop: string;
  /** Admin API access token of the custom app (needs write_orders). */
  @IsString() @MinLength(1, { message: 'accessToken is required (shpat_...)' }) accessToken: string;
  /** The app's client secret: Shopify signs webhooks with it. */
  @IsString() @MinLength(8, { message: 'webhookSecret (the app client secret) must be at least 8 characters' }) webhookSecret: string;
  @IsString() @Matches(/^\d{4}-\d{2}$|^unstable$/, { message: 'apiVersion must look like 2025-10' }) apiVersion: string = '2025-10';
  /** The manual payment method's name as customers see it at checkout. */
  @IsString() @MinLength(1) gatewayName: string = 'Bitcoin Lightning';
}

export class ShopifyOptions {
  @IsArray()
  @ArrayMinSize(1, { message: 'shops must list at least one Shopify shop' })
  @ArrayUnique((shop: ShopifyShop) => shop?.storeId, { message: 'shops must name each storeId once' })
  @ValidateNested({ each: true })
  @Type(() => ShopifyShop)
  shops: ShopifyShop[];
  /** Append the payment link (and expiry / late payment notices) to the order note. */
  @IsBoolean() addOrderNotes: boolean = true;
  @IsInt() @Min(500) @Max(120_000) timeoutMs: number = 10_000;
}
