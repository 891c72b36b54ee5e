import { hmacSha256Base64 } from '../../src/plugins/signatures';
import { RecordedCall, startRecordingServer } from './fake-platform-server';

export interface FakeWooOrder {
  id: number;
  status: string;
  currency: string;
  total: string;
  payment_method: string;
  number: string;
  order_key: string;
  customer_id: number;
  date_paid: string | null;
  transaction_id: string;
  notes: { note: string; customer_note: boolean }[];
}

/**
 * A WooCommerce REST v3 stand-in: Basic auth with the consumer key/secret exactly as WooCommerce
 * checks it over HTTPS (401 `woocommerce_rest_cannot_view` otherwise), orders and order notes.
 * `failNext` makes the next calls answer 503 so retries can be tested.
 */
export async function startFakeWooCommerce(credentials: { consumerKey: string; consumerSecret: string }) {
  const orders = new Map<number, FakeWooOrder>();
  let failures = 0;
  const expectedAuth = 'Basic ' + Buffer.from(`${credentials.consumerKey}:${credentials.consumerSecret}`).toString('base64');
  const server = await startRecordingServer((req, body) => {
    if (failures > 0) {
      failures--;
      return { status: 503, body: { code: 'unavailable', message: 'Service Unavailable' } };
    }
    if (req.headers.authorization !== expectedAuth) {
      return { status: 401, body: { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } } };
    }
    const match = /^\/wp-json\/wc\/v3\/orders\/(\d+)(\/notes)?$/.exec(req.url ?? '');
    const order = match ? orders.get(Number(match[1])) : undefined;
    if (!match || !order) return { status: 404, body: { code: 'woocommerce_rest_shop_order_invalid_id', message: 'Invalid ID.', data: { status: 404 } } };
    const input = (body ?? {}) as Record<string, unknown>;
    if (match[2] && req.method === 'POST') {
      if (typeof input.note !== 'string')
        return { status: 400, body: { code: 'rest_missing_callback_param', message: 'Missing parameter(s): note', data: { status: 400 } } };
      order.notes.push({ note: input.note, customer_note: input.customer_note === true });
      return { status: 201, body: { id: order.notes.length, note: input.note, customer_note: input.customer_note === true } };
    }
    if (req.method === 'GET') return { status: 200, body: order };
    if (req.method === 'PUT') {
      if (typeof input.status === 'string') order.status = input.status;
      if (typeof input.transaction_id === 'string') order.transaction_id = input.transaction_id;
      // payment_complete() only acts on orders awaiting payment, as WooCommerce does.
      if (input.set_paid === true && !order.date_paid) order.date_paid = new Date().toISOString();
      return { status: 200, body: order };
    }
    return { status: 405, body: { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } } };
  });
  return {
    ...server,
    orders,
    addOrder(partial: Partial<FakeWooOrder> & { id: number }): FakeWooOrder {
      const order: FakeWooOrder = {
        status: 'pending',
        currency: 'USD',
        total: '12.50',
        payment_method: 'lightning',
        number: String(partial.id),
        order_key: `wc_order_${partial.id}abc`,
        customer_id: 7,
        date_paid: null,
        transaction_id: '',
        notes: [],
        ...partial,
      };
      orders.set(order.id, order);
      return order;
    },
    failNext(n: number) {
      failures = n;
    },
    callsTo(method: string, pathPart: string): RecordedCall[] {
      return server.calls.filter((c) => c.method === method && c.path.includes(pathPart));
    },
  };
}

/** The headers WooCommerce sends with an order webhook, signed over the exact body bytes. */
export function wooWebhookHeaders(secret: string, body: string, topic = 'order.created'): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-WC-Webhook-Source': 'https://shop.example/',
    'X-WC-Webhook-Topic': topic,
    'X-WC-Webhook-Resource': 'order',
    'X-WC-Webhook-Event': topic.split('.')[1],
    'X-WC-Webhook-Signature': hmacSha256Base64(secret, body),
    'X-WC-Webhook-ID': '12',
    'X-WC-Webhook-Delivery-ID': String(Math.floor(Math.random() * 1e9)),
  };
}
