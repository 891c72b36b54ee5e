import { randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** `whsec_` + base64 of 32 random bytes, the Standard Webhooks format. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * Secrets a caller may bring: a Standard Webhooks secret (`whsec_` + base64 of 24-64 bytes), or
 * a BTCPay-style string of 16-128 visible ASCII characters.
 */
export function isAcceptableSecret(secret: string): boolean {
  if (secret.startsWith(SECRET_PREFIX)) {
    const b64 = secret.slice(SECRET_PREFIX.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return false;
    const bytes = Buffer.from(b64, 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }
  return /^[\x21-\x7e]{16,128}$/.test(secret);
}

/** The HMAC key of the Standard Webhooks signature: the decoded bytes after `whsec_`, else the string itself. */
export function signingKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}
