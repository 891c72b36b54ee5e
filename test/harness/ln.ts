// ln-service ships no type declarations, but it re-exports the functions of the `lightning`
// package (pinned in package.json "overrides"), which does. Use ln-service at runtime, typed by
// lightning's .d.ts files.
import type * as Lightning from 'lightning';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ln: typeof Lightning = require('ln-service');

export type AuthenticatedLnd = Lightning.AuthenticatedLnd;
export type UnauthenticatedLnd = Lightning.UnauthenticatedLnd;

/** Closes the gRPC channels behind an ln-service API object so that jest can exit cleanly. */
export function closeLnd(lnd: object | undefined): void {
  if (!lnd) return;
  for (const client of Object.values(lnd)) {
    try {
      (client as { close?: () => void })?.close?.();
    } catch {
      // already closed
    }
  }
}
