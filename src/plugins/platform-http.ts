import { PermanentPluginError, RetryablePluginError } from './plugin-errors';

export interface PlatformResponse<T = unknown> {
  status: number;
  body: T;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * One HTTP call to a shop platform. Network errors, timeouts, 408, 429 and 5xx are retryable
 * (honouring Retry-After); other 4xx are permanent: the event loop gives up on them at once.
 * `what` names the call in errors; credentials never appear in them.
 */
export async function callPlatform<T = unknown>(what: string, url: string, init: RequestInit & { timeoutMs: number }): Promise<PlatformResponse<T>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(init.timeoutMs) });
  } catch (err) {
    throw new RetryablePluginError(`${what}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${init.timeoutMs} ms` : (err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* keep the text */
  }
  if (res.ok) return { status: res.status, body: body as T };
  const detail = `${what}: HTTP ${res.status} ${typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200)}`;
  if (res.status === 408 || res.status === 429 || res.status >= 500) throw new RetryablePluginError(detail, retryAfterMs(res.headers.get('retry-after')));
  throw new PermanentPluginError(detail);
}

/** Accepts a bare host (`shop.example.com`) or a full URL (tests use http://127.0.0.1:port); no trailing slash. */
export function baseUrl(hostOrUrl: string): string {
  const withScheme = /^https?:\/\//i.test(hostOrUrl) ? hostOrUrl : `https://${hostOrUrl}`;
  return withScheme.replace(/\/+$/, '');
}
