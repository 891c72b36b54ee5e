import { ArgumentMetadata, HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem';

/** Keys Nest's ValidationPipe would delete (prototype pollution) and class-transformer misreads. */
export const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** The path of the first reserved key in `value` (`metadata.a.constructor`), walked without recursion. */
export function findReservedKey(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, child] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if ((RESERVED_KEYS as readonly string[]).includes(key)) return at;
      stack.push([child, at]);
    }
  }
  return undefined;
}

/**
 * Refuses a body holding a `__proto__`, `constructor` or `prototype` key at any depth. The
 * validation pipe would delete such keys silently, so a merchant's metadata would come back
 * without them; a 422 naming the key tells the client instead. Runs before the validation pipe
 * and before plugins parse their `@Body() body: unknown` (Greenfield).
 */
@Injectable()
export class ReservedKeyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    const at = findReservedKey(value);
    if (at !== undefined) {
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'reserved_key',
        `The body holds the key ${at}: ${RESERVED_KEYS.join(', ')} cannot be stored; rename it.`,
      );
    }
    return value;
  }
}
