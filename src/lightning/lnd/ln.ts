// ln-service ships no type declarations; it re-exports the functions of the `lightning` package
// (pinned through package.json "overrides"), which does. Use ln-service at runtime, typed by those.
import type * as Lightning from 'lightning';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ln = require('ln-service') as typeof Lightning;

export type AuthenticatedLnd = Lightning.AuthenticatedLnd;
export type UnauthenticatedLnd = Lightning.UnauthenticatedLnd;

/** Closes the gRPC channels behind an ln-service API object (otherwise they keep the process alive). */
export function closeLnd(lnd: object | undefined): void {
  if (!lnd) return;
  for (const client of Object.values(lnd)) {
    try {
      (client as { close?: () => void })?.close?.();
    } catch {
      /* already closed */
    }
  }
}

/** ln-service rejects with arrays like [503, 'Message', {err}]; make them readable Errors. */
export function lnError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (Array.isArray(err)) {
    const [code, message, details] = err as [number, string, { err?: { details?: string; message?: string } }?];
    const cause = details?.err?.details ?? details?.err?.message;
    return new Error(`${message ?? 'LndError'} (${code})${cause ? `: ${cause}` : ''}`);
  }
  return new Error(String(err));
}
