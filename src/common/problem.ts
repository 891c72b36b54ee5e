import { HttpException, HttpStatus } from '@nestjs/common';

/** RFC 9457 problem details, plus a stable machine-readable `code`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { field: string; messages: string[] }[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://lightning-checkout.dev/problems/';

export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
    /** Response headers that go with the problem (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super({ code, detail }, status);
  }
}

export function problem(status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}): ProblemDetails {
  return { ...extra, type: TYPE_BASE + code, title, status, code, ...(detail ? { detail } : {}) };
}

export const NotFound = (what: string, id?: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, `${what}_not_found`, id ? `No ${what.replace(/_/g, ' ')} with id ${id}` : undefined);
