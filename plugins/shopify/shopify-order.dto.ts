import { IsArray, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';

/** The fields of an `orders/create` webhook (REST order shape) the plugin reads; the rest is ignored. */
export class ShopifyOrderPayload {
  @IsInt() @Min(1) id: number;
  @IsOptional() @IsString() name?: string;
  @IsString() @Matches(/^\d{1,16}(\.\d{1,8})?$/, { message: 'total_price must be a decimal string' }) total_price: string;
  @IsString() @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be a 3-letter code' }) currency: string;
  @IsOptional() @IsString() financial_status?: string;
  @IsArray() @IsString({ each: true }) payment_gateway_names: string[];
  @IsOptional() @IsString() order_status_url?: string;
  @IsOptional() customer?: { id?: number } | null;
}

export class ShopifyOrderRef {
  @IsInt() @Min(1) id: number;
}

export const orderGid = (id: string | number) => `gid://shopify/Order/${id}`;
