import { request as httpRequest, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { ForbiddenTargetError, guardedLookup, isForbiddenAddress } from './ssrf-guard';

export const RESPONSE_EXCERPT_BYTES = 2048;

export interface PostResult {
  /** Null when no HTTP response arrived (network error, timeout, refused target). */
  status: number | null;
  retryAfter: string | null;
  /** The first 2 KB of the response body. */
  body: string | null;
  error: string | null;
  latencyMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  /** When false, connections to internal addresses are refused at connect time. */
  allowPrivateTargets: boolean;
}

/**
 * POSTs one webhook. The whole exchange (connect, response, body) is bounded by `timeoutMs`;
 * only the first 2 KB of the answer is kept and the rest is drained, so no receiver can hold
 * a worker or grow its memory.
 */
export function postWebhook(url: URL, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: elapsed() });
    };
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!options.allowPrivateTargets && isIP(host) && isForbiddenAddress(host)) {
      return finish({ status: null, retryAfter: null, body: null, error: new ForbiddenTargetError(`${host} is a private or internal address`).message });
    }
    const payload = Buffer.from(body, 'utf8');
    const requestOptions: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(payload.length) },
      agent: false,
      ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup }),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < RESPONSE_EXCERPT_BYTES) {
          const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept);
          chunks.push(part);
          kept += part.length;
        }
      });
      const done = () =>
        finish({
          status: res.statusCode ?? null,
          retryAfter: res.headers['retry-after'] ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
          error: null,
        });
      res.on('end', done);
      // A receiver that answered but broke the body off still gave its status.
      res.on('error', done);
      res.on('aborted', done);
    });
    const timer = setTimeout(() => {
      finish({ status: null, retryAfter: null, body: null, error: `timed out after ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      finish({
        status: null,
        retryAfter: null,
        body: null,
        error: err instanceof ForbiddenTargetError ? err.message : `${err.code ?? 'error'}: ${err.message}`.slice(0, 500),
      });
    });
    req.end(payload);
  });
}
