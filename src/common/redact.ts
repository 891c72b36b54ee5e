/**
 * Hides credentials in values about to be shown (log lines, configuration errors): fields whose
 * name says they hold a secret, at any depth, and the password of any URL with credentials.
 */

export const REDACTED = '[redacted]';

/** Field names (case-insensitive) whose values are credentials wherever they appear. */
const SECRET_NAME =
  /^(password|passwd|passphrase|pass|secret|[a-z_]*secret|macaroon|[a-z_]*macaroon|api_?key|key|token|[a-z_]*token|seed|private_?key|signing_?key|authorization|cookie|set-cookie|x-shopify-access-token|btcpay-sig|webhook-signature|x-wc-webhook-signature|x-shopify-hmac-sha256)$/i;

/** Query parameters that carry credentials in connection strings (`?password=`, `?sslkey=`). */
const SECRET_PARAM = /^(password|passwd|pass|secret|token|api_?key|key|sslkey|sslpassword|macaroon|access_?token|auth)$/i;

/**
 * `scheme://user:password@` (the password part is what is hidden); also `scheme://:password@`.
 * Up to the last `@` of the word: a password typed unencoded may hold `@`, `/` or `#` itself
 * (`postgres://app:pa@ss@db`). `host:8080/path@x` is a port, not a password.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@?#]*):(?!\d{1,5}[/?#])(\S*)@/gi;
/** `?password=...` style parameters inside a longer string. */
const PARAM_CREDENTIALS = /([?&;](?:password|passwd|pass|secret|token|api_?key|apikey|sslkey|sslpassword|macaroon|access_?token|auth)=)[^\s&;#]*/gi;

/** Deeper than this, a logged value is replaced rather than walked (a hostile body must not blow the stack). */
const MAX_DEPTH = 64;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `postgres://app:hunter2@db/x` → `postgres://app:***@db/x`; other text unchanged. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return text.replace(URL_CREDENTIALS, '$1:***@').replace(PARAM_CREDENTIALS, '$1***');
}

/**
 * A value to show in place of a possibly secret string: URLs keep their shape with the password
 * hidden; a string that looks like it holds credentials but cannot be read as a URL is left out.
 */
export function redactForDisplay(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url && url.host !== '') {
    const secretParams = [...url.searchParams.keys()].filter((name) => SECRET_PARAM.test(name));
    if (!url.password && secretParams.length === 0) return text;
    if (url.password) url.password = '***';
    for (const name of secretParams) url.searchParams.set(name, '***');
    return url.toString().replace(/%2A%2A%2A/g, '***');
  }
  const redacted = redactUrlCredentials(text);
  // `postgres:/user:pw@host`, `user:pw@host`: not a URL, but an `@` after a `:` is probably a password.
  return /:[^@\s]*@/.test(redacted.replace(/:\*\*\*@/g, '@')) ? NOT_SHOWN : redacted;
}

/** What {@link redactForDisplay} answers for a string it cannot safely show in part. */
export const NOT_SHOWN = '(not shown: it may contain a password)';

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A class instance that serializes as its own fields (a configuration section, a DTO, an entity):
 * walked like a plain object. Emitters and streams (requests, sockets, clients), binary data and
 * anything with its own toJSON are left alone: walking them is slow and they have serializers.
 */
function isDataInstance(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return false;
  if (value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) return false;
  if (typeof (value as { on?: unknown }).on === 'function' || typeof (value as { pipe?: unknown }).pipe === 'function') return false;
  return typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * A copy of `value` with secrets hidden, at any depth; the same reference when nothing had to
 * change (most log lines), so callers' objects are never mutated. Walks plain objects, arrays,
 * errors (message, stack, cause and own fields) and data-only class instances; emitters and
 * streams (requests, sockets) are left to their serializers. Cycle safe.
 */
export function redactSecrets<T>(value: T, redactString: (text: string) => string = redactUrlCredentials): T {
  return walk(value, new WeakSet(), 0, redactString) as T;
}

type RedactString = (text: string) => string;

function walk(value: unknown, seen: WeakSet<object>, depth: number, redactString: RedactString): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  // The original would be serialized below its copy, secrets and all: cut the cycle instead.
  if (seen.has(value)) return '[Circular]';
  // Serialized through its toJSON (href), password and all.
  if (value instanceof URL) {
    const shown = redactString(value.href);
    return shown === value.href ? value : shown;
  }
  if (value instanceof Error) return depth >= MAX_DEPTH ? '[too deep to log]' : redactError(value, seen, depth, redactString);
  if (!Array.isArray(value) && !isPlainObject(value) && !isDataInstance(value)) return value;
  if (depth >= MAX_DEPTH) return '[too deep to log]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      value.forEach((item, i) => {
        const next = walk(item, seen, depth + 1, redactString);
        if (next !== item) (out ??= value.slice())[i] = next;
      });
      return out ?? value;
    }
    const fields = redactFields(value as Record<string, unknown>, seen, depth, redactString);
    // A changed class instance becomes a plain copy of its own fields: what JSON.stringify shows of it anyway.
    return fields ? { ...(value as Record<string, unknown>), ...fields } : value;
  } catch {
    // A getter that throws: the value cannot be shown, and logging must not fail because of it.
    return '[unreadable]';
  } finally {
    seen.delete(value);
  }
}

/** The own enumerable fields of `value` that had to change, or undefined when none did. */
function redactFields(value: Record<string, unknown>, seen: WeakSet<object>, depth: number, redactString: RedactString): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = item !== undefined && item !== null && item !== '' && isSecretName(key) ? REDACTED : walk(item, seen, depth + 1, redactString);
    if (next !== item) (out ??= {})[key] = next;
  }
  return out;
}

/**
 * pino's error serializer shows the message and stack of the error and of its causes, and every
 * own field (a client's options, a failed command's arguments): all of them are redacted here.
 */
function redactError(err: Error, seen: WeakSet<object>, depth: number, redactString: RedactString): Error {
  seen.add(err);
  try {
    const message = redactUrlCredentials(err.message);
    const stack = err.stack === undefined ? undefined : redactUrlCredentials(err.stack);
    const hasCause = Object.prototype.hasOwnProperty.call(err, 'cause');
    const cause = hasCause ? walk(err.cause, seen, depth + 1, redactString) : undefined;
    const fields = redactFields(err as unknown as Record<string, unknown>, seen, depth, redactString);
    if (message === err.message && stack === err.stack && cause === err.cause && !fields) return err;
    const copy = Object.create(Object.getPrototypeOf(err) as object | null) as Error;
    Object.assign(copy, err, fields);
    const hidden = (name: string, value: unknown) => Object.defineProperty(copy, name, { value, enumerable: false, writable: true, configurable: true });
    hidden('message', message);
    hidden('stack', stack);
    if (hasCause) hidden('cause', cause);
    return copy;
  } catch {
    return new Error('[unreadable error]');
  } finally {
    seen.delete(err);
  }
}
