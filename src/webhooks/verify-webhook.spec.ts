import { createHmac } from 'node:crypto';
import { verifyBtcpaySig, verifyWebhook, WebhookVerificationError } from './verify-webhook';
import { generateSecret, isAcceptableSecret, signingKey } from './webhook-secret';
import { signedHeaders } from './webhook-signing';

describe('webhook signing and verification', () => {
  const secret = generateSecret();
  const body = JSON.stringify({ id: 'msg_1', type: 'InvoiceSettled', data: { amount: 'ünïcödé' } });
  const now = 1_800_000_000;

  it('matches the Standard Webhooks reference vector', () => {
    // From the standard-webhooks spec test suite.
    const ref = signedHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(ref['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('round-trips: the sender signs, the helper verifies the raw body', () => {
    const headers = signedHeaders(secret, 'msg_1', now, body);
    expect(verifyWebhook(secret, Buffer.from(body), headers, { now })).toEqual(JSON.parse(body));
    expect(verifyBtcpaySig(secret, body, headers['btcpay-sig'])).toBe(true);
    expect(headers['btcpay-sig']).toBe('sha256=' + createHmac('sha256', secret).update(body).digest('hex'));
  });

  it('rejects a tampered body, a wrong secret, an old timestamp and missing headers', () => {
    const headers = signedHeaders(secret, 'msg_1', now, body);
    expect(() => verifyWebhook(secret, body.replace('Settled', 'Expired'), headers, { now })).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(generateSecret(), body, headers, { now })).toThrow(/no matching signature/);
    expect(() => verifyWebhook(secret, body, headers, { now: now + 301 })).toThrow(/tolerance/);
    expect(() => verifyWebhook(secret, body, { ...headers, 'webhook-id': 'msg_2' }, { now })).toThrow();
    expect(() => verifyWebhook(secret, body, { 'webhook-id': 'msg_1' }, { now })).toThrow(/missing/);
    expect(verifyBtcpaySig(secret, body + ' ', headers['btcpay-sig'])).toBe(false);
  });

  it('accepts any one of several signatures (rotation) and Fetch-style headers', () => {
    const headers = signedHeaders(secret, 'msg_1', now, body);
    const both = { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` };
    expect(() => verifyWebhook(secret, body, new Headers(both), { now })).not.toThrow();
  });

  it('generates whsec_ secrets of 32 bytes and validates supplied ones', () => {
    expect(secret).toMatch(/^whsec_/);
    expect(signingKey(secret)).toHaveLength(32);
    expect(isAcceptableSecret(secret)).toBe(true);
    expect(isAcceptableSecret('whsec_' + Buffer.alloc(16).toString('base64'))).toBe(false);
    expect(isAcceptableSecret('whsec_not base64!')).toBe(false);
    expect(isAcceptableSecret('a-btcpay-style-secret')).toBe(true);
    expect(isAcceptableSecret('short')).toBe(false);
    expect(signingKey('a-btcpay-style-secret')).toEqual(Buffer.from('a-btcpay-style-secret'));
  });
});
