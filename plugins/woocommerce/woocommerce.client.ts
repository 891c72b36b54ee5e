import { Injectable } from '@nestjs/common';
import { baseUrl, callPlatform } from '../../src/plugin-api';
import { WooCommerceOptions, WooCommerceSite } from './woocommerce.options';

export interface WooOrder {
  id: number;
  status: string;
  order_key?: string;
  total?: string;
  currency?: string;
  payment_method?: string;
  number?: string;
  customer_id?: number;
}

/** The few WooCommerce REST v3 calls the plugin makes, with Basic auth (consumer key/secret). */
@Injectable()
export class WooCommerceClient {
  constructor(private readonly options: WooCommerceOptions) {}

  getOrder(site: WooCommerceSite, orderId: string): Promise<WooOrder> {
    return this.call(site, 'GET', `orders/${encodeURIComponent(orderId)}`);
  }

  updateOrder(site: WooCommerceSite, orderId: string, changes: Record<string, unknown>): Promise<WooOrder> {
    return this.call(site, 'PUT', `orders/${encodeURIComponent(orderId)}`, changes);
  }

  addNote(site: WooCommerceSite, orderId: string, note: string, customerNote: boolean): Promise<unknown> {
    return this.call(site, 'POST', `orders/${encodeURIComponent(orderId)}/notes`, { note, customer_note: customerNote });
  }

  private async call<T>(site: WooCommerceSite, method: string, path: string, body?: unknown): Promise<T> {
    const auth = Buffer.from(`${site.consumerKey}:${site.consumerSecret}`).toString('base64');
    const res = await callPlatform<T>(`WooCommerce ${method} /wp-json/wc/v3/${path}`, `${baseUrl(site.url)}/wp-json/wc/v3/${path}`, {
      method,
      headers: { Authorization: `Basic ${auth}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      timeoutMs: this.options.timeoutMs,
    });
    return res.body;
  }
}
