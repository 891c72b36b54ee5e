import type { Request } from 'express';
import type { ApiKeyView, StoreView } from './views';

/*
 * Store API keys, as the core's own API checks them: `@UseGuards(ApiKeyGuard)` authenticates
 * `Authorization: token <key>` and checks the permission a route declares with `@RequirePermission`
 * (or `@AnyPermission`); a route that declares none needs the store's top policy.
 */
export { ApiKeyGuard, CurrentApiKey, CurrentStore, extractKey as presentedApiKey } from '../stores/api-key.guard';
export { AnyPermission, Policy, RequirePermission } from '../stores/permissions';
export type { StorePolicy } from '../stores/permissions';

/** A request past ApiKeyGuard. */
export interface AuthenticatedRequest extends Request {
  readonly store: StoreView;
  readonly apiKey: ApiKeyView;
}
