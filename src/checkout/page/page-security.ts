import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

/** A fresh nonce per response: only the page's own inline script and style run. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // The checkout id is a capability: never leak it to the shop or a wallet site in Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Headers for the JSON and event-stream routes of the hosted page. */
export function setApiSecurityHeaders(res: Response): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
}

/**
 * Headers for an HTML page; the page loads nothing from anywhere else but the images of
 * `imageOrigins` (the store's logo). Only the given shop origins may frame it (the modal
 * checkout); with none, nothing may.
 */
export function setPageSecurityHeaders(res: Response, nonce: string, frameAncestors: readonly string[] = [], imageOrigins: readonly string[] = []): void {
  setApiSecurityHeaders(res);
  // CSP frame-ancestors decides; X-Frame-Options cannot name origins, so it goes when some are allowed.
  if (frameAncestors.length > 0) res.removeHeader('X-Frame-Options');
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      ['img-src data:', ...imageOrigins.map(cspSource)].join(' '),
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      frameAncestors.length > 0 ? `frame-ancestors ${frameAncestors.join(' ')}` : "frame-ancestors 'none'",
    ].join('; '),
  );
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}

/** A URL's origin as a CSP source ("https://cdn.shop.example"): a parsed origin holds no ';', ',' or spaces. */
function cspSource(url: string): string {
  const origin = new URL(url).origin;
  if (origin === 'null' || /[\s;,']/.test(origin)) throw new Error('not an origin usable in a CSP');
  return origin;
}
