import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import { redactSecrets, redactUrlCredentials } from './common/redact';
import { AppConfig } from './config/app-config';

/** Field names that hold credentials, for pino's paths (top level or one object down); REDACTION below reaches any depth. */
const SECRET_FIELDS = [
  'macaroon',
  'secret',
  'apiKey',
  'key',
  'password',
  'consumerSecret',
  'accessToken',
  'token',
  'seed',
  'privateKey',
  'webhookSecret',
  'signingKey',
];

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

/**
 * pino's redact paths cover fixed depths (and the request headers, serialized later); the log
 * formatter hides secret fields at any depth and passwords in URLs, and the log-method hook the
 * same in the message text.
 */
export const REDACTION: Pick<LoggerOptions, 'redact' | 'formatters' | 'hooks'> = {
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  formatters: { log: (object) => redactSecrets(object) },
  hooks: {
    logMethod(args: unknown[], method: (...args: unknown[]) => void) {
      return method.apply(
        this,
        withErrorMessage(args).map((arg) => (typeof arg === 'string' ? redactUrlCredentials(arg) : arg)),
      );
    },
  },
};

/**
 * `logger.error(err)` and `logger.error({ err })` without a message: pino takes the error's own
 * message as the line's message after the formatters ran, so it would go out unredacted. Passing
 * it here as the message makes it go through the hook's redaction like any other.
 */
function withErrorMessage(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (rest.length > 0 && rest[0] !== undefined) return args;
  if (first instanceof Error) return [{ err: first }, first.message];
  const fields = first as { err?: unknown; msg?: unknown } | null;
  if (typeof fields === 'object' && fields !== null && fields.err instanceof Error && fields.msg === undefined) return [first, fields.err.message];
  return args;
}

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.log.level,
      ...REDACTION,
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

/** Nest's own start-up chatter: one line per module and route, which buries the listening line. */
const ROUTINE_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The app's logger with Nest's routine start-up lines at debug instead of info (LOG_LEVEL=debug
 * shows them); everything else as it was.
 */
export function quietStartupLogger(inner: LoggerService): LoggerService {
  const routine = (params: unknown[]) => {
    const context = params[params.length - 1];
    return typeof context === 'string' && ROUTINE_CONTEXTS.has(context);
  };
  return {
    log: (message: unknown, ...params: unknown[]) => {
      if (routine(params) && inner.debug) inner.debug(message, ...params);
      else inner.log(message, ...params);
    },
    error: (message: unknown, ...params: unknown[]) => {
      inner.error(message, ...params);
    },
    warn: (message: unknown, ...params: unknown[]) => {
      inner.warn(message, ...params);
    },
    debug: (message: unknown, ...params: unknown[]) => {
      inner.debug?.(message, ...params);
    },
    verbose: (message: unknown, ...params: unknown[]) => {
      inner.verbose?.(message, ...params);
    },
    fatal: (message: unknown, ...params: unknown[]) => {
      inner.fatal?.(message, ...params);
    },
  };
}
