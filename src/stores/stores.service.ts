import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { randomId } from '../common/ids';
import { NotFound, ProblemException } from '../common/problem';
import { UnitOfWork } from '../database/unit-of-work';
import { normalizeDecimal } from '../rates/decimal';
import { ApiKey } from './api-key.entity';
import { ApiKeyCache, Authenticated } from './api-key-cache';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key-hash';
import { DEFAULT_KEY_POLICIES, grantPermissions } from './permissions';
import { Store } from './store.entity';
import { checkLogoUrl } from './store-logo';

export interface CreatedKey {
  apiKey: ApiKey;
  /** The only time the key itself exists outside the caller: it is stored hashed. */
  key: string;
}

@Injectable()
export class StoresService {
  constructor(
    @InjectRepository(Store) private readonly stores: Repository<Store>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly uow: UnitOfWork,
  ) {}

  private readonly cache = new ApiKeyCache();

  /** `permissions` default to DEFAULT_KEY_POLICIES (what BTCPay's WooCommerce plugin asks for). */
  async createStore(
    name: string,
    website: string | null = null,
    keyLabel = 'default',
    permissions: readonly string[] = DEFAULT_KEY_POLICIES,
    spreadPercent = '0',
    logoUrl: string | null = null,
  ): Promise<{ store: Store } & CreatedKey> {
    const id = randomId(12);
    const granted = grantOrFail(permissions, id);
    const logo = logoUrl === null ? null : acceptLogoUrl(logoUrl);
    return this.uow.run(async (m) => {
      const store = await m.save(m.create(Store, { id, name, website, spreadPercent: normalizeDecimal(spreadPercent), logoUrl: logo }));
      const created = await this.issueKey(store.id, keyLabel, granted, m.getRepository(ApiKey));
      return { store, ...created };
    });
  }

  async createKey(storeId: string, label: string, permissions: readonly string[] = DEFAULT_KEY_POLICIES): Promise<CreatedKey> {
    const granted = grantOrFail(permissions, storeId);
    return this.uow.run((m) => this.issueKey(storeId, label, granted, m.getRepository(ApiKey)));
  }

  private async issueKey(storeId: string, label: string, permissions: string[], repo: Repository<ApiKey>): Promise<CreatedKey> {
    const key = generateApiKey();
    const apiKey = await repo.save(
      repo.create({ id: randomId(12), storeId, keyHash: hashApiKey(key), prefix: displayPrefix(key), label, permissions, revokedAt: null }),
    );
    return { apiKey, key };
  }

  /**
   * Looks a presented key up by its hash (an index hit, not a string compare), with its store in
   * the same query; a hit is reused for a few seconds (see ApiKeyCache for what that means for
   * revocation on other replicas).
   */
  async authenticate(key: string): Promise<Authenticated | null> {
    const keyHash = hashApiKey(key);
    const cached = this.cache.get(keyHash);
    if (cached) return cached;
    const stamp = this.cache.stamp();
    const row: (ApiKey & { store?: Store }) | null = await this.keys
      .createQueryBuilder('k')
      .innerJoinAndMapOne('k.store', Store, 's', 's.id = k.storeId')
      .where('k.keyHash = :keyHash', { keyHash })
      .andWhere('k.revokedAt IS NULL')
      .getOne();
    if (!row?.store) return null;
    const { store } = row;
    delete row.store;
    const found = { store, apiKey: row };
    this.cache.set(keyHash, found, stamp);
    return found;
  }

  listKeys(storeId: string): Promise<ApiKey[]> {
    return this.keys.find({ where: { storeId }, order: { createdAt: 'ASC' } });
  }

  async revokeKey(storeId: string, id: string): Promise<void> {
    try {
      const result = await this.uow.run((m) => m.update(ApiKey, { id, storeId, revokedAt: IsNull() }, { revokedAt: new Date() }));
      if (!result.affected) throw NotFound('api_key', id);
    } finally {
      this.cache.revoked(id);
    }
  }

  /**
   * Store settings (the spread, the logo). The authenticated store object is updated in place, so
   * this replica's key cache sees it at once; other replicas within API_KEY_CACHE_TTL_MS.
   */
  async updateSettings(store: Store, settings: { spreadPercent?: string; logoUrl?: string | null }): Promise<Store> {
    const changes: Partial<Pick<Store, 'spreadPercent' | 'logoUrl'>> = {};
    if (settings.spreadPercent !== undefined) changes.spreadPercent = normalizeDecimal(settings.spreadPercent);
    if (settings.logoUrl !== undefined) changes.logoUrl = settings.logoUrl === null ? null : acceptLogoUrl(settings.logoUrl);
    if (Object.keys(changes).length === 0) return store;
    await this.uow.run((m) => m.update(Store, { id: store.id }, changes));
    return Object.assign(store, changes);
  }

  async get(id: string): Promise<Store> {
    const store = await this.stores.findOne({ where: { id } });
    if (!store) throw NotFound('store', id);
    return store;
  }

  list(): Promise<Store[]> {
    return this.stores.find({ order: { createdAt: 'ASC' } });
  }
}

/** 422 naming every permission that cannot be granted; the code is the first problem's. */
function grantOrFail(requested: readonly string[], storeId: string): string[] {
  const result = grantPermissions(requested, storeId);
  if ('granted' in result) return result.granted;
  const detail = result.problems.map((p) => `${p.permission}: ${PROBLEM_TEXT[p.code]}`).join('; ');
  throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, result.problems[0].code, detail, {
    message: detail,
    invalidPermissions: result.problems,
  });
}

const PROBLEM_TEXT = {
  unknown_permission: 'not a BTCPay store permission',
  unsupported_permission: 'a server or user permission; keys here belong to one store',
  permission_store_mismatch: "names another store than the key's",
} as const;

/** The logo URL, normalized, or a 422 `invalid_logo_url` saying why not. */
function acceptLogoUrl(value: string): string {
  const checked = checkLogoUrl(value);
  if ('error' in checked) throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid_logo_url', checked.error);
  return checked.url;
}
