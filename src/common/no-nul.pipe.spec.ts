import { containsNul, NoNulPipe } from './no-nul.pipe';

describe('containsNul', () => {
  it('finds U+0000 in strings, nested values and keys', () => {
    expect(containsNul('a\u0000b')).toBe(true);
    expect(containsNul({ a: [{ b: 'x\u0000' }] })).toBe(true);
    expect(containsNul({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNul({ a: ['x', 1, null, { b: '\u0001' }] })).toBe(false);
  });
});

describe('NoNulPipe', () => {
  const pipe = new NoNulPipe();
  it('refuses params, queries and bodies with NUL as a 400 problem, passes the rest', () => {
    for (const type of ['param', 'query', 'body'] as const) {
      expect(() => pipe.transform('a\u0000', { type, data: 'id' })).toThrow(expect.objectContaining({ code: 'nul_character', status: 400 }));
      expect(pipe.transform('ab', { type })).toBe('ab');
    }
  });
});
