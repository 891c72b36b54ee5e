import { hmacSha256Base64 } from '../../src/plugins/signatures';
import { RecordedCall, startRecordingServer } from './fake-platform-server';

export interface FakeShopifyOrder {
  id: number;
  displayFinancialStatus: string;
  note: string | null;
}

/**
 * A Shopify Admin GraphQL stand-in: `POST /admin/api/<version>/graphql.json` with the
 * `X-Shopify-Access-Token` header (401 as Shopify answers otherwise), a JSON body with `query`
 * and `variables`; understands the order query, orderMarkAsPaid and orderUpdate.
 */
export async function startFakeShopify(accessToken: string, apiVersion = '2025-10') {
  const orders = new Map<string, FakeShopifyOrder>();
  let failures = 0;
  const server = await startRecordingServer((req, body) => {
    if (failures > 0) {
      failures--;
      return { status: 503, body: { errors: 'Service Unavailable' } };
    }
    if (req.method !== 'POST' || req.url !== `/admin/api/${apiVersion}/graphql.json`) return { status: 404, body: { errors: 'Not Found' } };
    if (req.headers['x-shopify-access-token'] !== accessToken) {
      return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) return { status: 415, body: { errors: 'Unsupported Media Type' } };
    const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, any> };
    if (typeof query !== 'string' || (variables !== undefined && typeof variables !== 'object')) {
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    const gidOf = (id: unknown) => (typeof id === 'string' && /^gid:\/\/shopify\/Order\/\d+$/.test(id) ? id : null);
    if (query.includes('orderMarkAsPaid(')) {
      const gid = gidOf(variables?.input?.id);
      const order = gid ? orders.get(gid) : undefined;
      if (!order)
        return { status: 200, body: { data: { orderMarkAsPaid: { order: null, userErrors: [{ field: ['id'], message: 'Order does not exist' }] } } } };
      if (order.displayFinancialStatus === 'PAID')
        return { status: 200, body: { data: { orderMarkAsPaid: { order: null, userErrors: [{ field: null, message: 'Order cannot be marked as paid.' }] } } } };
      order.displayFinancialStatus = 'PAID';
      return { status: 200, body: { data: { orderMarkAsPaid: { order: { id: gid, displayFinancialStatus: 'PAID' }, userErrors: [] } } } };
    }
    if (query.includes('orderUpdate(')) {
      const gid = gidOf(variables?.input?.id);
      const order = gid ? orders.get(gid) : undefined;
      if (!order) return { status: 200, body: { data: { orderUpdate: { order: null, userErrors: [{ field: ['id'], message: 'Order does not exist' }] } } } };
      if (typeof variables?.input?.note === 'string') order.note = variables.input.note;
      return { status: 200, body: { data: { orderUpdate: { order: { id: gid }, userErrors: [] } } } };
    }
    if (/order\(id: \$id\)/.test(query)) {
      const gid = gidOf(variables?.id);
      const order = gid ? orders.get(gid) : undefined;
      return { status: 200, body: { data: { order: order ? { id: gid, note: order.note, displayFinancialStatus: order.displayFinancialStatus } : null } } };
    }
    return { status: 200, body: { errors: [{ message: 'Unknown query in the fake', extensions: { code: 'undefinedField' } }] } };
  });
  return {
    ...server,
    orders,
    addOrder(id: number): FakeShopifyOrder {
      const order = { id, displayFinancialStatus: 'PENDING', note: null };
      orders.set(`gid://shopify/Order/${id}`, order);
      return order;
    },
    failNext(n: number) {
      failures = n;
    },
    mutations(name: string): RecordedCall[] {
      return server.calls.filter((c) => typeof (c.body as { query?: string })?.query === 'string' && (c.body as { query: string }).query.includes(`${name}(`));
    },
  };
}

/** The `orders/create` webhook body (REST order shape, trimmed to what matters) and its signed headers. */
export function shopifyOrderWebhook(
  secret: string,
  order: { id: number; total_price?: string; currency?: string; gateway?: string; financial_status?: string },
  eventId = `evt-${order.id}`,
) {
  const body = JSON.stringify({
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: `#${1000 + (order.id % 1000)}`,
    email: 'buyer@example.com',
    currency: order.currency ?? 'EUR',
    presentment_currency: order.currency ?? 'EUR',
    total_price: order.total_price ?? '20.00',
    total_outstanding: order.total_price ?? '20.00',
    financial_status: order.financial_status ?? 'pending',
    gateway: order.gateway ?? 'Bitcoin Lightning',
    payment_gateway_names: [order.gateway ?? 'Bitcoin Lightning'],
    order_status_url: `https://shop.example/123/orders/abc${order.id}/authenticate?key=k`,
    customer: { id: 555 },
    line_items: [{ id: 1, title: 'Mug', quantity: 1, price: order.total_price ?? '20.00' }],
  });
  const headers = {
    'Content-Type': 'application/json',
    'X-Shopify-Topic': 'orders/create',
    'X-Shopify-Hmac-Sha256': hmacSha256Base64(secret, body),
    'X-Shopify-Shop-Domain': 'my-shop.myshopify.com',
    'X-Shopify-API-Version': '2025-10',
    'X-Shopify-Webhook-Id': `wh-${Math.floor(Math.random() * 1e9)}`,
    'X-Shopify-Event-Id': eventId,
    'X-Shopify-Triggered-At': new Date().toISOString(),
  };
  return { body, headers };
}
