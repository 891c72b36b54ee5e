import { backoffMs, parseRetryAfter, verdictFor } from './retry-policy';

describe('retry policy', () => {
  it.each([
    [200, { kind: 'success' }],
    [204, { kind: 'success' }],
    [null, { kind: 'retry' }],
    [408, { kind: 'retry' }],
    [429, { kind: 'retry' }],
    [500, { kind: 'retry' }],
    [503, { kind: 'retry' }],
    [301, { kind: 'final', disableEndpoint: false }],
    [400, { kind: 'final', disableEndpoint: false }],
    [401, { kind: 'final', disableEndpoint: false }],
    [404, { kind: 'final', disableEndpoint: false }],
    [410, { kind: 'final', disableEndpoint: true }],
  ])('HTTP %p → %j', (status, verdict) => {
    expect(verdictFor(status)).toEqual(verdict);
  });

  it('honours Retry-After on 429, 502, 503 and 504 only', () => {
    expect(verdictFor(429, '7')).toEqual({ kind: 'retry', retryAfterMs: 7000 });
    expect(verdictFor(502, '1')).toEqual({ kind: 'retry', retryAfterMs: 1000 });
    expect(verdictFor(504, '2')).toEqual({ kind: 'retry', retryAfterMs: 2000 });
    expect(verdictFor(500, '7')).toEqual({ kind: 'retry' });
    expect(verdictFor(408, '7')).toEqual({ kind: 'retry' });
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter within [ceiling/2, ceiling], capped', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(4, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
