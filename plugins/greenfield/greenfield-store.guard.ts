import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { type AuthenticatedRequest, ProblemException } from '../../src/plugin-api';

/** Runs after ApiKeyGuard: a key only reaches its own store's `/api/v1/stores/{storeId}/...` (403 otherwise, as BTCPay answers). */
@Injectable()
export class GreenfieldStoreGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const storeId = req.params?.storeId;
    if (storeId !== undefined && storeId !== req.store.id) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'store_forbidden', 'This API key does not have access to that store.', {
        message: 'This API key does not have access to that store.',
      });
    }
    return true;
  }
}
