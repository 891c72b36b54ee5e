import { createHmac, timingSafeEqual } from 'node:crypto';

/** base64(HMAC-SHA256(secret, body)): how WooCommerce and Shopify sign webhooks. */
export function hmacSha256Base64(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * Checks a base64 HMAC-SHA256 signature of the raw body in constant time. A missing, malformed
 * or wrong-length signature is simply invalid.
 */
export function verifyHmacSha256Base64(secret: string, body: Buffer | undefined, signature: string | string[] | undefined): boolean {
  if (!body || typeof signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature.trim())) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature.trim(), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
