import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const GREENFIELD_DOCS = 'https://docs.btcpayserver.org/API/Greenfield/v1/';

const nullable = (type: SchemaObject['type'], extra: SchemaObject = {}): SchemaObject => ({ type, nullable: true, ...extra });
const DECIMAL: SchemaObject = { type: 'string', pattern: '^\\d+(\\.\\d+)?$' };
const UNIX: SchemaObject = { type: 'integer', description: 'Unix seconds' };

/**
 * BTCPay's shapes, with the fields this server answers and shop plugins read; BTCPay's own
 * reference documents each of them in full. Open (additionalProperties) where BTCPay adds fields.
 */
export const GREENFIELD_SCHEMAS = {
  invoice: {
    type: 'object',
    required: [
      'id',
      'storeId',
      'amount',
      'currency',
      'type',
      'checkoutLink',
      'createdTime',
      'expirationTime',
      'status',
      'additionalStatus',
      'archived',
      'metadata',
      'checkout',
    ],
    properties: {
      id: { type: 'string' },
      storeId: { type: 'string' },
      amount: { ...DECIMAL, description: 'In `currency`; a top-up invoice: what was paid' },
      currency: { type: 'string' },
      type: { type: 'string', enum: ['Standard', 'TopUp'] },
      checkoutLink: { type: 'string', format: 'uri' },
      createdTime: UNIX,
      expirationTime: UNIX,
      monitoringExpiration: UNIX,
      status: { type: 'string', enum: ['New', 'Settled', 'Expired', 'Invalid'] },
      additionalStatus: { type: 'string', enum: ['None', 'PaidLate', 'PaidPartial', 'Marked'] },
      availableStatusesForManualMarking: { type: 'array', items: { type: 'string' } },
      archived: { type: 'boolean' },
      metadata: { type: 'object', additionalProperties: true },
      checkout: { type: 'object', additionalProperties: true },
      receipt: { type: 'object', additionalProperties: true },
    },
    additionalProperties: true,
  },
  paymentMethod: {
    type: 'object',
    required: ['paymentMethodId', 'currency', 'destination', 'rate', 'amount', 'due', 'totalPaid', 'payments'],
    properties: {
      paymentMethodId: { type: 'string', enum: ['BTC-LN'] },
      currency: { type: 'string' },
      destination: { type: 'string', description: 'The BOLT11 invoice' },
      paymentLink: { type: 'string' },
      rate: DECIMAL,
      amount: DECIMAL,
      due: DECIMAL,
      totalPaid: DECIMAL,
      paymentMethodPaid: DECIMAL,
      paymentMethodFee: DECIMAL,
      payments: { type: 'array', items: { type: 'object', additionalProperties: true } },
      activated: { type: 'boolean' },
      additionalData: { type: 'object', additionalProperties: true },
    },
    additionalProperties: true,
  },
  webhook: {
    type: 'object',
    required: ['id', 'enabled', 'url', 'authorizedEvents'],
    properties: {
      id: { type: 'string' },
      enabled: { type: 'boolean' },
      automaticRedelivery: { type: 'boolean' },
      url: { type: 'string', format: 'uri' },
      authorizedEvents: {
        type: 'object',
        required: ['everything', 'specificEvents'],
        properties: { everything: { type: 'boolean' }, specificEvents: { type: 'array', items: { type: 'string' } } },
      },
      secret: { type: 'string', description: 'Only in the answer to create' },
    },
    additionalProperties: true,
  },
  delivery: {
    type: 'object',
    required: ['id', 'timestamp', 'status'],
    properties: {
      id: { type: 'string' },
      timestamp: UNIX,
      httpCode: nullable('integer'),
      errorMessage: nullable('string'),
      status: { type: 'string', enum: ['HttpSuccess', 'Pending', 'HttpError', 'Failed'] },
    },
    additionalProperties: true,
  },
  rate: {
    type: 'object',
    required: ['currencyPair', 'errors', 'rate'],
    properties: {
      currencyPair: { type: 'string', example: 'BTC_USD' },
      errors: { type: 'array', items: { type: 'string' } },
      rate: { ...DECIMAL, nullable: true },
    },
    additionalProperties: true,
  },
  store: {
    type: 'object',
    required: ['id', 'name', 'defaultCurrency', 'invoiceExpiration', 'speedPolicy', 'defaultPaymentMethod'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      website: nullable('string'),
      defaultCurrency: { type: 'string' },
      invoiceExpiration: { type: 'integer', description: 'Seconds' },
      speedPolicy: { type: 'string' },
      defaultPaymentMethod: { type: 'string' },
    },
    additionalProperties: true,
  },
  storePaymentMethod: {
    type: 'object',
    required: ['paymentMethodId', 'enabled'],
    properties: { paymentMethodId: { type: 'string' }, enabled: { type: 'boolean' }, config: nullable('object') },
    additionalProperties: true,
  },
  serverInfo: {
    type: 'object',
    required: ['version', 'supportedPaymentMethods', 'fullySynched', 'syncStatus'],
    properties: {
      version: { type: 'string', description: 'The BTCPay version this server answers as' },
      lightningCheckoutVersion: { type: 'string' },
      onion: nullable('string'),
      supportedPaymentMethods: { type: 'array', items: { type: 'string' } },
      fullySynched: { type: 'boolean' },
      syncStatus: { type: 'array', items: { type: 'object', additionalProperties: true } },
    },
    additionalProperties: true,
  },
  currentKey: {
    type: 'object',
    required: ['apiKey', 'label', 'permissions'],
    properties: { apiKey: { type: 'string' }, label: { type: 'string' }, permissions: { type: 'array', items: { type: 'string' } } },
  },
  health: { type: 'object', required: ['synchronized'], properties: { synchronized: { type: 'boolean' } } },
  empty: { type: 'object', maxProperties: 0 },
  eventBody: { type: 'object', additionalProperties: true, description: 'The webhook body as sent (BTCPay event)' },
  deliveryId: { type: 'string', description: "The new delivery's id, as a JSON string (as BTCPay answers)" },
} satisfies Record<string, SchemaObject>;

/** A Greenfield operation: a summary, BTCPay's reference for the full shape, the success answer. */
export function GreenfieldOperation(
  summary: string,
  schema: keyof typeof GREENFIELD_SCHEMAS,
  options: { array?: boolean; status?: number } = {},
): MethodDecorator {
  const one: SchemaObject = GREENFIELD_SCHEMAS[schema];
  return applyDecorators(
    ApiOperation({ summary, description: `BTCPay Greenfield compatible; see ${GREENFIELD_DOCS} for the full shape.` }),
    ApiResponse({ status: options.status ?? 200, description: 'OK', schema: options.array ? { type: 'array', items: one } : one }),
  );
}
