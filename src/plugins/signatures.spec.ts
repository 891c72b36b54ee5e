import { createHmac } from 'node:crypto';
import { hmacSha256Base64, verifyHmacSha256Base64 } from './signatures';

describe('HMAC-SHA256 base64 signatures', () => {
  const secret = 'wc-secret';
  const body = Buffer.from('{"id":42,"total":"12.50"}');
  const good = createHmac('sha256', secret).update(body).digest('base64');

  it('signs like the platforms (base64 of the raw HMAC)', () => {
    expect(hmacSha256Base64(secret, body)).toBe(good);
  });

  it('accepts the right signature, with surrounding spaces', () => {
    expect(verifyHmacSha256Base64(secret, body, good)).toBe(true);
    expect(verifyHmacSha256Base64(secret, body, ` ${good} `)).toBe(true);
  });

  it.each([
    ['another secret', createHmac('sha256', 'other').update(body).digest('base64')],
    ['a hex digest', createHmac('sha256', secret).update(body).digest('hex')],
    ['a truncated signature', good.slice(0, 20)],
    ['garbage', 'not base64!'],
    ['an empty header', ''],
  ])('rejects %s', (_, signature) => {
    expect(verifyHmacSha256Base64(secret, body, signature)).toBe(false);
  });

  it('rejects a changed body, a missing body and a missing or repeated header', () => {
    expect(verifyHmacSha256Base64(secret, Buffer.from('{"id":42,"total":"0.01"}'), good)).toBe(false);
    expect(verifyHmacSha256Base64(secret, undefined, good)).toBe(false);
    expect(verifyHmacSha256Base64(secret, body, undefined)).toBe(false);
    expect(verifyHmacSha256Base64(secret, body, [good, good])).toBe(false);
  });
});
