import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemException } from './problem';

function collect(errors: ValidationError[], prefix = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...collect(e.children ?? [], field)];
  });
}

/** Rejects unknown fields and wrong types with a 422 problem listing each bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const list = collect(errors);
      return new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'validation_failed', list.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '), {
        errors: list,
      });
    },
  });
}
