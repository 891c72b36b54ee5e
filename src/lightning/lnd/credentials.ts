import { existsSync, readFileSync } from 'node:fs';

/**
 * Config accepts LND credentials as a file path or inline. Inline values are recognised by
 * shape: a PEM certificate, base64 (of a PEM or of a DER/binary macaroon) or, for macaroons, hex.
 * ln-service wants base64 (cert: of the PEM; macaroon: of the binary) or hex for the macaroon.
 */
const PEM = /-----BEGIN CERTIFICATE-----/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function looksLikePath(value: string): boolean {
  return value.startsWith('/') || value.startsWith('./') || value.startsWith('../') || value.startsWith('~') || /\.(cert|crt|pem|macaroon)$/.test(value);
}

function readPath(value: string, what: string): Buffer {
  const path = value.startsWith('~') ? value.replace(/^~/, process.env.HOME ?? '~') : value;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`Cannot read the LND ${what} file ${path}: ${(err as Error).message}`);
  }
}

/** Returns the base64 of the certificate's PEM text, as ln-service expects. */
export function loadCert(value: string): string {
  const trimmed = value.trim();
  if (PEM.test(trimmed)) return Buffer.from(trimmed).toString('base64');
  if (looksLikePath(trimmed) || (!BASE64.test(trimmed) && existsSync(trimmed))) {
    const pem = readPath(trimmed, 'TLS certificate').toString('utf8');
    if (!PEM.test(pem)) throw new Error(`The LND TLS certificate file ${trimmed} is not a PEM certificate`);
    return Buffer.from(pem).toString('base64');
  }
  if (BASE64.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
    if (PEM.test(decoded)) return Buffer.from(decoded).toString('base64');
    throw new Error('The LND TLS certificate is neither a readable file path nor base64 of a PEM certificate');
  }
  throw new Error('The LND TLS certificate is neither a readable file path nor base64 of a PEM certificate');
}

/** Shortest macaroon we accept inline: real ones are 100+ bytes, a path like /etc/lnd/mac is far shorter. */
const MIN_INLINE_MACAROON_BYTES = 32;

function inlineBase64(value: string): Buffer | null {
  if (!BASE64.test(value)) return null;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length >= MIN_INLINE_MACAROON_BYTES ? bytes : null;
}

/**
 * Returns the macaroon as hex (ln-service accepts hex or base64; hex is unambiguous). An existing
 * file wins; otherwise inline hex/base64 (base64 may start with "/", so shape alone cannot say
 * "path"). Error messages never echo a value that could be the macaroon itself.
 */
export function loadMacaroon(value: string): string {
  const trimmed = value.trim();
  const path = trimmed.startsWith('~') ? trimmed.replace(/^~/, process.env.HOME ?? '~') : trimmed;
  if (existsSync(path)) {
    const bytes = readPath(path, 'macaroon');
    if (bytes.length === 0) throw new Error(`The LND macaroon file ${path} is empty`);
    return bytes.toString('hex');
  }
  // Hex first: a hex string is also valid base64, but a base64 macaroon is almost never pure hex.
  if (HEX.test(trimmed) && trimmed.length >= MIN_INLINE_MACAROON_BYTES * 2) return trimmed.toLowerCase();
  const bytes = inlineBase64(trimmed);
  if (bytes) return bytes.toString('hex');
  // Too short or not base64/hex: not a macaroon, so naming it is safe and helps the operator.
  if (looksLikePath(trimmed)) readPath(path, 'macaroon');
  throw new Error('The LND macaroon is neither a readable file path, hex nor base64');
}
