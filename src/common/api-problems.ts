import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';

export class ProblemFieldError {
  @ApiProperty({ example: 'amount' }) field: string;
  @ApiProperty({ type: [String] }) messages: string[];
}

export class ProblemPermission {
  @ApiProperty({ example: 'btcpay.store.canfly' }) permission: string;
  @ApiProperty({ enum: ['unknown_permission', 'unsupported_permission', 'permission_store_mismatch'] }) code: string;
}

/** The body of every 4xx and 5xx answer (RFC 9457), as ProblemFilter writes it. */
export class ProblemView {
  @ApiProperty({ format: 'uri', example: 'https://lightning-checkout.dev/problems/checkout_not_found' }) type: string;
  @ApiProperty({ example: 'Not found' }) title: string;
  @ApiProperty({ type: 'integer', example: 404 }) status: number;
  @ApiProperty({ description: 'Stable, machine-readable: branch on this, not on `title` or `detail`', example: 'checkout_not_found' }) code: string;
  @ApiPropertyOptional({ description: 'What went wrong, for a human' }) detail?: string;
  @ApiPropertyOptional({ description: 'The request path' }) instance?: string;
  @ApiPropertyOptional({ type: [ProblemFieldError], description: 'validation_failed: each refused field' }) errors?: ProblemFieldError[];
  @ApiPropertyOptional({ description: 'missing_permission and the permission codes: `detail` again, where BTCPay clients read it' }) message?: string;
  @ApiPropertyOptional({ example: 'btcpay.store.cancreateinvoice', description: 'missing_permission: the permission the operation needs' })
  missingPermission?: string;
  @ApiPropertyOptional({
    type: [ProblemPermission],
    description: 'unknown_permission, unsupported_permission, permission_store_mismatch: each refused permission',
  })
  invalidPermissions?: ProblemPermission[];
  @ApiPropertyOptional({ example: 'XYZ', description: 'unsupported_currency: the currency asked for' }) currency?: string;
  @ApiPropertyOptional({ example: 'Settled', description: 'checkout_not_cancelable: the status the checkout has' }) checkoutStatus?: string;
}

/**
 * Every problem `code` an API operation can answer, with its status. An operation lists the codes
 * it can really answer (`@ApiProblems`); the document then carries them as an enum per status, so
 * the e2e response validation fails on a code an operation answers but does not document.
 */
export const PROBLEM_CODES = {
  malformed_json: [400, 'the body is not JSON'],
  json_too_deep: [400, 'the body nests deeper than 32 levels'],
  nul_character: [400, 'a string in the body holds a NUL character'],
  reserved_key: [422, 'the body holds a __proto__, constructor or prototype key (at any depth, metadata included)'],
  invalid_idempotency_key: [400, 'Idempotency-Key is not 1-200 visible ASCII characters'],
  missing_api_key: [401, 'no Authorization header'],
  malformed_authorization: [401, 'the Authorization header is not `token <key>` or `Bearer <key>`'],
  invalid_api_key: [401, 'the key is unknown or revoked'],
  missing_permission: [403, 'the key lacks the permission this operation needs'],
  store_forbidden: [403, 'the key belongs to another store'],
  checkout_not_found: [404, 'no checkout with that id in this store'],
  webhook_not_found: [404, 'no webhook with that id in this store'],
  webhook_delivery_not_found: [404, 'no delivery with that id for this webhook'],
  api_key_not_found: [404, 'no API key with that id in this store'],
  checkout_not_cancelable: [409, 'the checkout is no longer New'],
  too_many_webhooks: [409, 'the store has the most webhooks allowed'],
  payload_too_large: [413, 'the body is over 100 kB'],
  unsupported_charset: [415, 'the body is not UTF-8'],
  unsupported_encoding: [415, 'the body has a Content-Encoding the server does not read'],
  validation_failed: [422, 'a field is missing, unknown or of the wrong type; `errors` names each'],
  idempotency_key_reused: [422, 'the Idempotency-Key was used with another body'],
  invalid_amount: [422, 'the amount has more decimals than its currency'],
  amount_required: [422, 'no amount given'],
  amount_too_small: [422, 'the amount is below 1 sat'],
  amount_too_large: [422, 'the amount is above what one invoice may ask'],
  unsupported_currency: [422, 'no rate source is configured for the currency'],
  unsupported_status: [422, 'invoices cannot be marked Settled by hand'],
  no_supported_events: [422, 'none of the asked events exists here'],
  invalid_webhook_url: [422, 'the url is not a usable http(s) URL'],
  webhook_url_forbidden: [422, 'the url resolves to a private address'],
  webhook_url_unresolvable: [422, 'the url does not resolve'],
  invalid_webhook_secret: [422, 'the secret is not whsec_ + base64 of 24-64 bytes or 16-128 visible ASCII'],
  invalid_logo_url: [422, 'logoUrl is not an https URL (http only for localhost), has credentials or is too long'],
  unknown_permission: [422, 'a permission is not a BTCPay store permission'],
  unsupported_permission: [422, 'a server or user permission, which a store key cannot hold'],
  permission_store_mismatch: [422, 'a permission names another store'],
  lightning_unavailable: [503, 'no Lightning node can issue an invoice now; retry'],
  rate_unavailable: [503, 'no current exchange rate; retry after Retry-After'],
  database_busy: [503, 'SQLite: another process holds the write lock; nothing written, retry after Retry-After'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** Any keyed operation. */
export const AUTH_PROBLEMS: ProblemCode[] = ['missing_api_key', 'malformed_authorization', 'invalid_api_key', 'missing_permission'];
/** Any operation reading a JSON body through the validation pipe. */
export const BODY_PROBLEMS: ProblemCode[] = [
  'malformed_json',
  'json_too_deep',
  'nul_character',
  'payload_too_large',
  'reserved_key',
  'unsupported_charset',
  'unsupported_encoding',
  'validation_failed',
];
/** Any operation that writes (SQLite only). */
export const WRITE_PROBLEMS: ProblemCode[] = ['database_busy'];

/** Documents the problems an operation answers: one response per status, its codes as an enum. */
export function ApiProblems(...codes: (ProblemCode | ProblemCode[])[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes.flat())) {
    const status = PROBLEM_CODES[code][0];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses = [...byStatus].map(([status, list]) =>
    ApiResponse({
      status,
      description: list.map((c) => `\`${c}\`: ${PROBLEM_CODES[c][1]}`).join('; '),
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: { allOf: [{ $ref: getSchemaPath(ProblemView) }, { type: 'object', properties: { code: { type: 'string', enum: list } } }] },
        },
      },
    }),
  );
  return applyDecorators(ApiExtraModels(ProblemView), ...responses);
}
