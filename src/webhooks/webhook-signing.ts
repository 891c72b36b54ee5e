import { createHmac } from 'node:crypto';
import { signingKey } from './webhook-secret';

export const USER_AGENT = 'LightningCheckout-Webhooks/0.1';

/**
 * The headers of one attempt. `webhook-signature` follows Standard Webhooks
 * (`v1,` + base64 HMAC-SHA256 over `id.timestamp.body` keyed with the decoded secret);
 * `BTCPay-Sig` is BTCPay's (hex HMAC-SHA256 of the raw body keyed with the secret string).
 */
export function signedHeaders(secret: string, webhookId: string, timestamp: number, body: string, previousSecrets: string[] = []): Record<string, string> {
  // Standard Webhooks allows several space-separated signatures: the old secret keeps verifying during a rotation.
  const v1 = [secret, ...previousSecrets]
    .map((s) => 'v1,' + createHmac('sha256', signingKey(s)).update(`${webhookId}.${timestamp}.${body}`).digest('base64'))
    .join(' ');
  const btcpay = createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': v1,
    'btcpay-sig': `sha256=${btcpay}`,
  };
}
