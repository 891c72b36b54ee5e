import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ApiKey } from '../stores/api-key.entity';
import type { Store } from '../stores/store.entity';
import type { ApiKeyView, StoreView } from './views';

/*
 * Store API keys, as the core's own API checks them: `@UseGuards(ApiKeyGuard)` authenticates
 * `Authorization: token <key>` and checks the permission a route declares with `@RequirePermission`
 * (or `@AnyPermission`); a route that declares none needs the store's top policy.
 */
export { ApiKeyGuard, extractKey as presentedApiKey } from '../stores/api-key.guard';
export { AnyPermission, Policy, RequirePermission } from '../stores/permissions';
export type { StorePolicy } from '../stores/permissions';

/** A request past ApiKeyGuard. */
export interface AuthenticatedRequest extends Request {
  readonly store: StoreView;
  readonly apiKey: ApiKeyView;
}

/** Copies, not the core's entities: a plugin that returns or logs one shows no key hash, and has nothing to save back. */
export const apiKeyView = (k: ApiKey): ApiKeyView =>
  Object.freeze({ id: k.id, storeId: k.storeId, label: k.label, permissions: Object.freeze([...k.permissions]) as string[] });
export const storeView = (s: Store): StoreView =>
  Object.freeze({ id: s.id, name: s.name, website: s.website, logoUrl: s.logoUrl, spreadPercent: s.spreadPercent });

const requestOf = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<{ apiKey: ApiKey; store: Store }>();

/** The API key the request authenticated with (after ApiKeyGuard), as ApiKeyView. */
export const CurrentApiKey = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiKeyView => apiKeyView(requestOf(ctx).apiKey));

/** The store of that key (after ApiKeyGuard), as StoreView. */
export const CurrentStore = createParamDecorator((_: unknown, ctx: ExecutionContext): StoreView => storeView(requestOf(ctx).store));
