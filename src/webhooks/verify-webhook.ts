import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Receiver-side verification of a Lightning Checkout webhook (Standard Webhooks `v1` signature).
 * Dependency-free on purpose: receivers may copy this file as is (see docs/webhooks.md).
 */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyOptions {
  /** Accepted clock difference between sender and receiver, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time in unix seconds; for tests. */
  now?: number;
}

type HeaderBag = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value[0] : value;
}

function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks `webhook-signature` over the RAW request body (the exact bytes received, not re-serialized
 * JSON) and that `webhook-timestamp` is recent. Returns the parsed payload, or throws.
 */
export function verifyWebhook<T = unknown>(secret: string, rawBody: string | Buffer, headers: HeaderBag, options: VerifyOptions = {}): T {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - Number(timestamp)) > tolerance) throw new WebhookVerificationError('webhook-timestamp outside the tolerance');
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const expected = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest();
  // Several space-separated signatures may be sent (e.g. during a secret rotation): any one suffices.
  const ok = signatures.split(' ').some((entry) => {
    const [version, sig] = entry.split(',', 2);
    return version === 'v1' && !!sig && equal(Buffer.from(sig, 'base64'), expected);
  });
  if (!ok) throw new WebhookVerificationError('no matching signature');
  return JSON.parse(body.toString('utf8')) as T;
}

/** Checks BTCPay's `BTCPay-Sig: sha256=<hex>` header (HMAC of the raw body keyed with the secret string). */
export function verifyBtcpaySig(secret: string, rawBody: string | Buffer, btcpaySig: string | undefined): boolean {
  if (!btcpaySig || !btcpaySig.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
  const given = Buffer.from(btcpaySig.slice(7), 'hex');
  return equal(given, expected);
}
