import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, problem, ProblemDetails, ProblemException } from './problem';

const DEFAULT_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

/** Body-parser errors carry a `type`; map them to stable codes instead of a 500. */
const BODY_PARSER_CODES: Record<string, string> = {
  'entity.parse.failed': 'malformed_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'unsupported_encoding',
  'charset.unsupported': 'unsupported_charset',
  'request.aborted': 'request_aborted',
};

function statusTitle(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .replace(/_/g, ' ')
        .replace(/^./, (c) => c.toUpperCase())
    : 'Error';
}

/** Nest may wrap body-parser's error; its `type` survives on the error or its cause. */
function bodyParserType(exception: unknown): string | undefined {
  for (const candidate of [exception, (exception as { cause?: unknown })?.cause]) {
    const type = (candidate as { type?: unknown })?.type;
    if (typeof type === 'string' && BODY_PARSER_CODES[type]) return type;
  }
  return undefined;
}

export function toProblem(exception: unknown): ProblemDetails {
  if (exception instanceof ProblemException) {
    const status = exception.getStatus();
    const body = exception.getResponse() as { detail?: string };
    return problem(status, exception.code, statusTitle(status), body.detail, exception.extensions);
  }
  const parserType = bodyParserType(exception);
  if (parserType) {
    const err = exception as { status?: number; statusCode?: number; message?: string; getStatus?: () => number };
    const status = err.getStatus?.() ?? err.status ?? err.statusCode ?? 400;
    return problem(status, BODY_PARSER_CODES[parserType], statusTitle(status), err.message);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const detail = typeof body === 'string' ? body : ((body as { message?: unknown }).message as string | undefined);
    return problem(status, DEFAULT_CODES[status] ?? `http_${status}`, statusTitle(status), Array.isArray(detail) ? detail.join('; ') : detail);
  }
  return problem(500, 'internal_error', 'Internal server error', 'An unexpected error occurred; it has been logged.');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = toProblem(exception);
    // A problem with Retry-After is an expected, temporary state (logged once where it starts), not a failure.
    const temporary = exception instanceof ProblemException && 'Retry-After' in exception.headers;
    if (body.status >= 500 && !temporary) this.logger.error({ err: exception, path: req?.path }, 'request failed');
    if (res.headersSent) return;
    if (body.status === 401) res.setHeader('WWW-Authenticate', 'token');
    if (exception instanceof ProblemException) for (const [name, value] of Object.entries(exception.headers)) res.setHeader(name, value);
    res
      .status(body.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify({ ...body, instance: req?.originalUrl }));
  }
}
