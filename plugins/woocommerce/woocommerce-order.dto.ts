import { IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';

/** The fields of a WooCommerce order webhook (REST v3 order shape) the plugin reads; the rest is ignored. */
export class WooOrderPayload {
  @IsInt() @Min(1) id: number;
  @IsString() status: string;
  @IsString() @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be a 3-letter code' }) currency: string;
  @IsString() @Matches(/^\d{1,16}(\.\d{1,8})?$/, { message: 'total must be a decimal string' }) total: string;
  @IsString() payment_method: string;
  @IsOptional() @IsString() number?: string;
  @IsOptional() @IsString() order_key?: string;
  @IsOptional() @IsInt() customer_id?: number;
}

export class WooOrderRef {
  @IsInt() @Min(1) id: number;
}

export const WC_ORDER_TOPICS = ['order.created', 'order.updated'];
