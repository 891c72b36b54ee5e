import { CanActivate, createParamDecorator, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '../common/problem';
import { ApiKey } from './api-key.entity';
import { allows, ANY_PERMISSION, OWNER_POLICY, REQUIRED_PERMISSION, StorePolicy } from './permissions';
import { Store } from './store.entity';
import { StoresService } from './stores.service';

export interface AuthenticatedRequest extends Request {
  store: Store;
  apiKey: ApiKey;
}

/** `Authorization: token <apiKey>` (BTCPay's scheme); `Bearer` is accepted too. */
export function extractKey(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(token|bearer)\s+(\S+)\s*$/i.exec(header);
  return match ? match[2] : null;
}

/**
 * Authenticates the key, then checks the permission the route declares with @RequirePermission
 * (or @AnyPermission). A route that declares nothing needs the store's top policy: forgetting the
 * declaration locks a route down instead of opening it.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly stores: StoresService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    if (!header) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'missing_api_key', 'Send the API key as "Authorization: token <key>".');
    const key = extractKey(header);
    if (!key) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'malformed_authorization', 'Expected "Authorization: token <key>".');
    const found = await this.stores.authenticate(key);
    if (!found) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid_api_key', 'The API key is unknown or revoked.');
    req.store = found.store;
    req.apiKey = found.apiKey;
    const required =
      this.reflector.getAllAndOverride<StorePolicy | typeof ANY_PERMISSION | undefined>(REQUIRED_PERMISSION, [context.getHandler(), context.getClass()]) ??
      OWNER_POLICY;
    if (required !== ANY_PERMISSION && !allows(found.apiKey.permissions, required, found.store.id)) throw missingPermission(required, found.store.id);
    return true;
  }
}

/** BTCPay answers 403 naming the policy; `message` is the field its clients show. */
export function missingPermission(policy: StorePolicy, storeId: string): ProblemException {
  const detail = `This API key lacks the permission ${policy} (or one that includes it) for store ${storeId}.`;
  return new ProblemException(HttpStatus.FORBIDDEN, 'missing_permission', detail, { message: detail, missingPermission: policy });
}

export const CurrentStore = createParamDecorator((_: unknown, ctx: ExecutionContext): Store => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().store;
});

export const CurrentApiKey = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiKey => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().apiKey;
});
