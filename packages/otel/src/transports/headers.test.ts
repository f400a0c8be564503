import { describe, expect, it } from 'vitest';
import { objectHeader, rawHeader } from './headers.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('rawHeader', () => {
  it('finds a header in undici raw Buffers, in any case of its name', () => {
    const raw = [
      bytes('Content-Type'),
      bytes('application/json'),
      bytes('DATE'),
      bytes('Tue, 24 Nov 2026 10:00:00 GMT'),
      bytes('x-request-id'),
      bytes('req_1'),
    ];
    expect(rawHeader(raw, 'content-type')).toBe('application/json');
    expect(rawHeader(raw, 'date')).toBe('Tue, 24 Nov 2026 10:00:00 GMT');
    expect(rawHeader(raw, 'x-request-id')).toBe('req_1');
    expect(rawHeader(raw, 'content-encoding')).toBeUndefined();
  });

  it('finds a header in raw strings', () => {
    expect(rawHeader(['Content-Encoding', 'gzip'], 'content-encoding')).toBe('gzip');
  });

  it('takes no other name of the same length for it, bytes past ASCII included', () => {
    // Same length as 'date'; 0xC4 is not 'D' however its case is folded.
    expect(rawHeader([bytes('etag'), bytes('"1"'), bytes('\u00c4ate'), bytes('x')], 'date')).toBeUndefined();
    // '[' (0x5B) and '{' (0x7B) differ by the case bit, and are not letters.
    expect(rawHeader([bytes('x-[a'), bytes('1')], 'x-{a')).toBeUndefined();
  });

  it('answers undefined for anything that is not a raw header list', () => {
    expect(rawHeader(undefined, 'date')).toBeUndefined();
    expect(rawHeader({ date: 'x' }, 'date')).toBeUndefined();
    expect(rawHeader([null, 'x'], 'date')).toBeUndefined();
  });
});

describe('objectHeader', () => {
  it('joins repeated values as HTTP does', () => {
    expect(objectHeader({ 'set-cookie': ['a=1', 'b=2'] }, 'set-cookie')).toBe('a=1, b=2');
    expect(objectHeader({ date: 'x' }, 'date')).toBe('x');
    expect(objectHeader(null, 'date')).toBeUndefined();
  });
});
