import { CanActivate, createParamDecorator, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemException } from '../common/problem';
import { ApiKey } from './api-key.entity';
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

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly stores: StoresService) {}

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
    return true;
  }
}

export const CurrentStore = createParamDecorator((_: unknown, ctx: ExecutionContext): Store => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().store;
});

export const CurrentApiKey = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiKey => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().apiKey;
});
