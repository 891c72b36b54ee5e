import { HttpStatus, Type } from '@nestjs/common';
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
 * Validates the fields a plugin reads from a platform's webhook body. Unlike the API's DTOs,
 * unknown fields are allowed: platforms send far more than we use and add fields over time.
 */
export function parsePlatformPayload<T extends object>(cls: Type<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid_payload', 'The webhook body must be a JSON object.');
  }
  const value = plainToInstance(cls, body, { enableImplicitConversion: false });
  const problems = collect(validateSync(value, { whitelist: false, forbidUnknownValues: false }));
  if (problems.length > 0) throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid_payload', problems.join('; '));
  return value;
}
