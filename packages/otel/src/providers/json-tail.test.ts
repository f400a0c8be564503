import { describe, expect, it } from 'vitest';
import { lastValueOf } from './json-tail.js';

describe('lastValueOf', () => {
  const tail = '0.0125771, -0.0031]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}';

  it('reads an object, a string and a number from the end of a cut document', () => {
    expect(lastValueOf(tail, 'usage')).toEqual({ prompt_tokens: 8, total_tokens: 8 });
    expect(lastValueOf(tail, 'model')).toBe('text-embedding-3-small');
    expect(lastValueOf(tail, 'total_tokens')).toBe(8);
  });

  it('takes the last occurrence that parses', () => {
    expect(lastValueOf('"usage":{"a":1},"usage":{"b":2', 'usage')).toEqual({ a: 1 });
  });

  it('skips keys that are escaped inside a string', () => {
    expect(lastValueOf('"text":"say \\"usage\\": {}","usage": {"c":3}', 'usage')).toEqual({ c: 3 });
    expect(lastValueOf('"text":"say \\"usage\\":{\\"x\\":1}"', 'usage')).toBeUndefined();
  });

  it('handles braces and escaped quotes inside strings', () => {
    expect(lastValueOf('"usage" : { "note": "a } \\" {", "n": [1, {"m": 2}] }', 'usage')).toEqual({
      note: 'a } " {',
      n: [1, { m: 2 }],
    });
  });

  it.each(['', 'usage', '"usage"', '"usage":', '"usage":{"a":1', '"usage":"unterminated', '"usage" x {}'])('answers undefined for %j', (text) => {
    expect(lastValueOf(text, 'usage')).toBeUndefined();
  });
});
