import { ApiKey } from './api-key.entity';
import { Store } from './store.entity';

export interface Authenticated {
  store: Store;
  apiKey: ApiKey;
}

/**
 * How long a successful key lookup is reused. A key revoked through this replica is dropped at
 * once; another replica (sharing the database) may still accept it for up to this long.
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
export const API_KEY_CACHE_MAX_ENTRIES = 1_000;

/**
 * Successful API-key lookups by key hash, so an authenticated request costs no query while the
 * entry is fresh. Bounded (oldest entry evicted first) and short-lived; unknown or revoked keys are
 * never cached, so a new key works at once and a wrong one is always looked up.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { value: Authenticated; expiresAt: number }>();
  /** Bumped by every revocation: a lookup that started before it must not be cached. */
  private revocations = 0;

  constructor(
    private readonly ttlMs = API_KEY_CACHE_TTL_MS,
    private readonly maxEntries = API_KEY_CACHE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get(keyHash: string): Authenticated | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return entry.value;
  }

  /** Taken before a lookup and handed to `set`, which ignores results older than a revocation. */
  stamp(): number {
    return this.revocations;
  }

  set(keyHash: string, value: Authenticated, stamp: number): void {
    if (stamp !== this.revocations || this.maxEntries <= 0) return;
    this.entries.delete(keyHash);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(keyHash, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** Call after the revocation is committed. */
  revoked(apiKeyId: string): void {
    this.revocations++;
    for (const [hash, entry] of this.entries) if (entry.value.apiKey.id === apiKeyId) this.entries.delete(hash);
  }

  get size(): number {
    return this.entries.size;
  }
}
