import { HttpStatus, stripProtoKeys, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { ProblemException } from '../common/problem';

function collect(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${field}: ${m}`), ...collect(e.children ?? [], field)];
  });
}

/**
 * Validates the fields a plugin reads from a platform's body. Unlike the API's DTOs, unknown
 * fields are allowed: platforms (and clients written for other servers, like BTCPay's) send more
 * than we use and add fields over time. Declare the parameter as `@Body() body: unknown` so the
 * global pipe, which forbids unknown fields, leaves it alone.
 */
export function parsePlatformPayload<T extends object>(cls: Type<T>, body: unknown, code = 'invalid_payload'): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, code, 'The body must be a JSON object.');
  }
  // As the API's ValidationPipe does: `__proto__`, `prototype` and `constructor` keys go, at any
  // depth. class-transformer takes a nested `constructor` key for the value's class (a 500).
  stripProtoKeys(body);
  const value = plainToInstance(cls, body, { enableImplicitConversion: false });
  const problems = collect(validateSync(value, { whitelist: false, forbidUnknownValues: false }));
  if (problems.length > 0) throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, code, problems.join('; '));
  return value;
}

export interface RejectedOrder {
  result: 'rejected';
  code: string;
  detail?: string;
}

/**
 * Runs an order webhook's handler, answering an order that can never get a checkout (422: amount
 * too small, unknown currency) with a 200 report instead of a failure: platforms count failed
 * deliveries and eventually disable or remove the whole webhook.
 */
export async function rejectUnpayableOrder<T>(handle: () => Promise<T>): Promise<T | RejectedOrder> {
  try {
    return await handle();
  } catch (err) {
    if (err instanceof ProblemException && err.getStatus() === HttpStatus.UNPROCESSABLE_ENTITY) {
      return { result: 'rejected', code: err.code, detail: (err.getResponse() as { detail?: string }).detail };
    }
    throw err;
  }
}
