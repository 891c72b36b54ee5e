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

/** Returns the macaroon as hex (ln-service accepts hex or base64; hex is unambiguous). */
export function loadMacaroon(value: string): string {
  const trimmed = value.trim();
  if (looksLikePath(trimmed) || (existsSync(trimmed) && !HEX.test(trimmed))) {
    const bytes = readPath(trimmed, 'macaroon');
    if (bytes.length === 0) throw new Error(`The LND macaroon file ${trimmed} is empty`);
    return bytes.toString('hex');
  }
  // Hex first: a hex string is also valid base64, but a base64 macaroon is almost never pure hex.
  if (HEX.test(trimmed)) return trimmed.toLowerCase();
  if (BASE64.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length > 0) return bytes.toString('hex');
  }
  throw new Error('The LND macaroon is neither a readable file path, hex nor base64');
}
