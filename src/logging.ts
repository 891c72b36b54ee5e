import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Params } from 'nestjs-pino';
import { AppConfig } from './config/app-config';

/** Field names that hold credentials, wherever they appear (top level or one object down). */
const SECRET_FIELDS = ['macaroon', 'secret', 'apiKey', 'key', 'password', 'consumerSecret', 'accessToken', 'token', 'seed', 'privateKey', 'webhookSecret', 'signingKey'];

/** Paths whose values must never reach a log line: keys, macaroons, secrets, signatures. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-wc-webhook-signature"]',
  'req.headers["x-shopify-hmac-sha256"]',
  'req.headers["x-shopify-access-token"]',
  'req.headers["btcpay-sig"]',
  'req.headers["webhook-signature"]',
  // Outgoing requests logged with their options (platform APIs, webhook targets).
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers["x-shopify-access-token"]',
  '*.headers["X-Shopify-Access-Token"]',
  // pino wildcards cover one level, so `{ macaroon }` and `{ node: { macaroon } }` are listed apart.
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.log.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      genReqId: (req: IncomingMessage) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
      },
      customProps: () => ({}),
      autoLogging: { ignore: (req: IncomingMessage) => !!req.url?.startsWith('/health') || !!req.url?.startsWith('/metrics') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }),
      },
      ...(config.log.pretty ? { transport: { target: 'pino-pretty' } } : {}),
    },
  };
}
