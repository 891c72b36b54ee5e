/** What one attempt's result means for the delivery. */
export type AttemptVerdict = { kind: 'success' } | { kind: 'retry'; retryAfterMs?: number } | { kind: 'final'; disableEndpoint: boolean };

export function verdictFor(status: number | null, retryAfter?: string | null, now = Date.now()): AttemptVerdict {
  // No HTTP status: network error, refused connection or timeout.
  if (status === null) return { kind: 'retry' };
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (status === 408 || status === 429 || status >= 500) {
    const honoured = status === 429 || status === 502 || status === 503 || status === 504;
    const retryAfterMs = honoured ? parseRetryAfter(retryAfter, now) : undefined;
    return retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs };
  }
  // 410 Gone: the receiver says this endpoint no longer exists (Standard Webhooks).
  return { kind: 'final', disableEndpoint: status === 410 };
}

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Delay before the next try after `attempt` failed tries: exponential with "equal jitter" (half
 * fixed, half random) so a burst of failures against one receiver does not retry in lockstep.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
