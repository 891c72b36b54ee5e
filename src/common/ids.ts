import { randomBytes } from 'node:crypto';

/** 128 random bits, URL-safe: used where an id is also a capability (hosted page links). */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
