import 'reflect-metadata';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { ExecutionContext } from '@nestjs/common';
import { ApiKey } from '../stores/api-key.entity';
import { Store } from '../stores/store.entity';
import { CurrentApiKey, CurrentStore } from './auth';

/** The value a param decorator gives a handler, for this request. */
function valueOf(decorator: () => ParameterDecorator, req: object): unknown {
  class Handler {
    handle(_value: unknown) {}
  }
  decorator()(Handler.prototype, 'handle', 0);
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'handle') as Record<string, { factory: (data: unknown, ctx: ExecutionContext) => unknown }>;
  const [arg] = Object.values(args);
  return arg.factory(undefined, { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext);
}

/*
 * What a plugin's handler gets for the authenticated key and store is the view the plugin API
 * promises (ApiKeyView: "never its hash"), not the core's entities: a plugin that returns or logs
 * it must not expose the key hash, and cannot save it back.
 */
describe('plugin API: @CurrentApiKey and @CurrentStore', () => {
  const apiKey = Object.assign(new ApiKey(), {
    id: 'k1',
    storeId: 's1',
    keyHash: 'a'.repeat(64),
    prefix: 'lc_abc',
    label: 'shop',
    permissions: ['btcpay.store.canviewinvoices'],
    createdAt: new Date(0),
    revokedAt: null,
  });
  const store = Object.assign(new Store(), { id: 's1', name: 'Shop', website: null, spreadPercent: '0', logoUrl: null, createdAt: new Date(0) });
  const req = { apiKey, store };

  it('gives the API key view: no hash, not the entity', () => {
    const value = valueOf(CurrentApiKey, req);
    expect(value).not.toBeInstanceOf(ApiKey);
    expect(JSON.parse(JSON.stringify(value))).toEqual({ id: 'k1', storeId: 's1', label: 'shop', permissions: ['btcpay.store.canviewinvoices'] });
  });

  it('gives the store view, not the entity', () => {
    const value = valueOf(CurrentStore, req);
    expect(value).not.toBeInstanceOf(Store);
    expect(value).toEqual({ id: 's1', name: 'Shop', website: null, logoUrl: null, spreadPercent: '0' });
  });
});
