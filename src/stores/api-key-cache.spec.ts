import { ApiKeyCache, Authenticated } from './api-key-cache';
import { ApiKey } from './api-key.entity';
import { Store } from './store.entity';

function found(keyId: string, storeId = 'store-1'): Authenticated {
  return { store: Object.assign(new Store(), { id: storeId, name: 'Shop' }), apiKey: Object.assign(new ApiKey(), { id: keyId, storeId }) };
}

describe('ApiKeyCache', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('reuses a lookup until its TTL runs out', () => {
    const cache = new ApiKeyCache(5000, 10, clock);
    const value = found('k1');
    cache.set('hash-1', value, cache.stamp());
    now += 4999;
    expect(cache.get('hash-1')).toBe(value);
    now += 1;
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops a revoked key at once and ignores a lookup that started before the revocation', () => {
    const cache = new ApiKeyCache(5000, 10, clock);
    cache.set('hash-1', found('k1'), cache.stamp());
    cache.set('hash-2', found('k2'), cache.stamp());
    const inFlight = cache.stamp();
    cache.revoked('k1');
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.get('hash-2')).toBeDefined();
    // The lookup read the key before the revocation committed: its result must not be reused.
    cache.set('hash-1', found('k1'), inFlight);
    expect(cache.get('hash-1')).toBeUndefined();
    cache.set('hash-3', found('k3'), cache.stamp());
    expect(cache.get('hash-3')).toBeDefined();
  });

  it('stays within its bound, evicting the oldest entry first', () => {
    const cache = new ApiKeyCache(5000, 3, clock);
    for (let i = 1; i <= 5; i++) cache.set(`hash-${i}`, found(`k${i}`), cache.stamp());
    expect(cache.size).toBe(3);
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.get('hash-2')).toBeUndefined();
    expect(cache.get('hash-5')?.apiKey.id).toBe('k5');
  });

  it('caches nothing when its bound is zero', () => {
    const cache = new ApiKeyCache(5000, 0, clock);
    cache.set('hash-1', found('k1'), cache.stamp());
    expect(cache.get('hash-1')).toBeUndefined();
  });
});
