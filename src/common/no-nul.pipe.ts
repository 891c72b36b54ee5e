import { ArgumentMetadata, HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem';

/** Whether any string in `value` (object keys included) holds U+0000; walked without recursion. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return true;
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * PostgreSQL text cannot hold U+0000: an id, query or body with one would fail in the database
 * (a 500). No client has a reason to send it, so it is refused up front on both databases alike.
 */
@Injectable()
export class NoNulPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'custom' && containsNul(value)) {
      throw new ProblemException(
        HttpStatus.BAD_REQUEST,
        'nul_character',
        `The request's ${metadata.type}${metadata.data ? ` (${metadata.data})` : ''} contains a NUL character.`,
      );
    }
    return value;
  }
}
