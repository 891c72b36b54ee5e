import { Injectable } from '@nestjs/common';
import { baseUrl, callPlatform, PermanentPluginError, RetryablePluginError } from '../../src/plugin-api';
import { ShopifyOptions, ShopifyShop } from './shopify.options';

interface UserError {
  field: string[] | null;
  message: string;
}

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[] | string;
}

const ORDER_QUERY = `query order($id: ID!) { order(id: $id) { id note displayFinancialStatus } }`;
const MARK_AS_PAID = `mutation orderMarkAsPaid($input: OrderMarkAsPaidInput!) {
  orderMarkAsPaid(input: $input) { order { id displayFinancialStatus } userErrors { field message } }
}`;
const ORDER_UPDATE = `mutation orderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) { order { id } userErrors { field message } }
}`;

/** The Shopify Admin GraphQL calls the plugin makes. */
@Injectable()
export class ShopifyAdminClient {
  constructor(private readonly options: ShopifyOptions) {}

  async order(shop: ShopifyShop, gid: string): Promise<{ id: string; note: string | null; displayFinancialStatus: string } | null> {
    const data = await this.graphql<{ order: { id: string; note: string | null; displayFinancialStatus: string } | null }>(shop, ORDER_QUERY, { id: gid });
    return data.order;
  }

  /** Idempotent: an order Shopify already shows as paid counts as done. */
  async markAsPaid(shop: ShopifyShop, gid: string): Promise<void> {
    const data = await this.graphql<{ orderMarkAsPaid: { userErrors: UserError[] } }>(shop, MARK_AS_PAID, { input: { id: gid } });
    const errors = data.orderMarkAsPaid?.userErrors ?? [];
    if (errors.length === 0) return;
    const order = await this.order(shop, gid);
    if (order?.displayFinancialStatus === 'PAID') return;
    throw new PermanentPluginError(`orderMarkAsPaid refused: ${errors.map((e) => e.message).join('; ')}`);
  }

  /** Appends a line to the order note (orderUpdate replaces the note, so the current one is read first). */
  async appendNote(shop: ShopifyShop, gid: string, line: string): Promise<void> {
    const order = await this.order(shop, gid);
    if (!order) throw new PermanentPluginError(`order ${gid} not found`);
    if (order.note?.includes(line)) return;
    const note = order.note ? `${order.note}\n${line}` : line;
    const data = await this.graphql<{ orderUpdate: { userErrors: UserError[] } }>(shop, ORDER_UPDATE, { input: { id: gid, note } });
    const errors = data.orderUpdate?.userErrors ?? [];
    if (errors.length > 0) throw new PermanentPluginError(`orderUpdate refused: ${errors.map((e) => e.message).join('; ')}`);
  }

  private async graphql<T>(shop: ShopifyShop, query: string, variables: Record<string, unknown>): Promise<T> {
    const url = `${baseUrl(shop.shop)}/admin/api/${shop.apiVersion}/graphql.json`;
    const { body } = await callPlatform<GraphQLResponse<T>>('Shopify Admin GraphQL', url, {
      method: 'POST',
      headers: { 'X-Shopify-Access-Token': shop.accessToken, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      timeoutMs: this.options.timeoutMs,
    });
    const errors = typeof body?.errors === 'string' ? [{ message: body.errors }] : (body?.errors ?? []);
    if (errors.length > 0) {
      const message = `Shopify Admin GraphQL: ${errors.map((e) => e.message).join('; ')}`;
      // Throttling is the cost-based rate limit: waiting helps; anything else (access denied, bad query) does not.
      if (errors.some((e) => 'extensions' in e && e.extensions?.code === 'THROTTLED')) throw new RetryablePluginError(message, 2000);
      throw new PermanentPluginError(message);
    }
    if (!body?.data) throw new RetryablePluginError('Shopify Admin GraphQL: response without data');
    return body.data;
  }
}
