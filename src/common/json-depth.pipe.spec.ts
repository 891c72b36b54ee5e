import { JsonDepthPipe, jsonDepth, MAX_BODY_DEPTH } from './json-depth.pipe';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('jsonDepth', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: 2 }], c: 'x' })).toBe(3);
    expect(jsonDepth(nested(100_000))).toBe(100_000);
  });
});

describe('JsonDepthPipe', () => {
  const pipe = new JsonDepthPipe();
  it('passes bodies up to the limit and refuses deeper ones with a 400 problem', () => {
    const ok = nested(MAX_BODY_DEPTH);
    expect(pipe.transform(ok, { type: 'body' })).toBe(ok);
    expect(() => pipe.transform(nested(MAX_BODY_DEPTH + 1), { type: 'body' })).toThrow(expect.objectContaining({ code: 'json_too_deep', status: 400 }));
  });
  it('leaves other arguments alone', () => {
    const deep = nested(MAX_BODY_DEPTH + 1);
    expect(pipe.transform(deep, { type: 'query' })).toBe(deep);
  });
});
