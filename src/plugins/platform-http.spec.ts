import { baseUrl, callPlatform } from './platform-http';
import { PermanentPluginError, RetryablePluginError } from './plugin-errors';

describe('callPlatform', () => {
  const fetchMock = jest.spyOn(globalThis, 'fetch');
  afterAll(() => fetchMock.mockRestore());
  const respond = (status: number, body: string, headers: Record<string, string> = {}) =>
    fetchMock.mockResolvedValueOnce(new Response(body, { status, headers }));
  const call = () => callPlatform('Shop PUT /orders/1', 'https://shop.example/orders/1', { method: 'PUT', timeoutMs: 1000 });

  it('returns parsed JSON on success', async () => {
    respond(200, '{"id":1}');
    await expect(call()).resolves.toEqual({ status: 200, body: { id: 1 } });
  });

  it.each([408, 429, 500, 502, 503])('treats HTTP %i as retryable', async (status) => {
    respond(status, 'busy');
    await expect(call()).rejects.toBeInstanceOf(RetryablePluginError);
  });

  it.each([400, 401, 403, 404, 422])('treats HTTP %i as permanent', async (status) => {
    respond(status, '{"code":"woocommerce_rest_shop_order_invalid_id"}');
    const err = await call().catch((e) => e);
    expect(err).toBeInstanceOf(PermanentPluginError);
    expect(err.message).toContain(`HTTP ${status}`);
  });

  it('honours Retry-After in seconds', async () => {
    respond(429, '', { 'Retry-After': '7' });
    expect((await call().catch((e) => e)).retryAfterMs).toBe(7000);
  });

  it('treats network errors and timeouts as retryable, naming the call but not the URL', async () => {
    fetchMock.mockRejectedValueOnce(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }));
    const err = await call().catch((e) => e);
    expect(err).toBeInstanceOf(RetryablePluginError);
    expect(err.message).toBe('Shop PUT /orders/1: no answer within 1000 ms');
  });
});

describe('baseUrl', () => {
  it('adds https to a bare host and drops trailing slashes', () => {
    expect(baseUrl('my-shop.myshopify.com')).toBe('https://my-shop.myshopify.com');
    expect(baseUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(baseUrl('https://example.com/shop/')).toBe('https://example.com/shop');
  });
});
