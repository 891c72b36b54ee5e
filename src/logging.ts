import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Params } from 'nestjs-pino';
import { AppConfig } from './config/app-config';

/** Paths whose values must never reach a log line: keys, macaroons, secrets, signatures. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-wc-webhook-signature"]',
  'req.headers["x-shopify-hmac-sha256"]',
  'req.headers["btcpay-sig"]',
  'req.headers["webhook-signature"]',
  '*.macaroon',
  '*.secret',
  '*.apiKey',
  '*.key',
  '*.password',
  '*.consumerSecret',
  '*.accessToken',
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
