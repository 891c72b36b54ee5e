import { ArgumentMetadata, HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem';

/** Deeper than any client's metadata; a 100 kB body can nest ~50,000 levels. */
export const MAX_BODY_DEPTH = 32;

/** How deep `value` nests objects and arrays, walked without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Refuses bodies nested deeper than MAX_BODY_DEPTH before anything recurses into them:
 * class-transformer and JSON.stringify overflow the stack on a few thousand levels (a 500).
 * Runs before the validation pipe and before plugins parse their `@Body() body: unknown`.
 */
@Injectable()
export class JsonDepthPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && jsonDepth(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'json_too_deep', `The body nests objects or arrays deeper than ${MAX_BODY_DEPTH} levels.`);
    }
    return value;
  }
}
