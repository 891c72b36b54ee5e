import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../common/problem';

/** 503 with Retry-After: the rate will come back (sources recover, the next refresh runs). */
export class RateUnavailable extends ProblemException {
  constructor(
    currency: string,
    reason: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'rate_unavailable',
      `No current exchange rate for ${currency}: ${reason}. Retry in ${retryAfterSeconds} s.`,
      { currency },
      { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    );
  }
}

export const UnsupportedCurrency = (currency: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'unsupported_currency', `No exchange rate for ${currency}: no rate source is configured for it.`, {
    currency,
  });
