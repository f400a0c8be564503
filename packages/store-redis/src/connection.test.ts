import { describe, expect, it } from 'vitest';
import { slotPrefix } from './connection.js';

describe('slotPrefix', () => {
  it('makes a prefix without a hash tag the hash tag, so all its keys share a cluster slot', () => {
    expect(slotPrefix('costctl:')).toBe('{costctl:}');
    expect(slotPrefix('checkout:')).toBe('{checkout:}');
  });

  it('keeps a prefix that has a hash tag of its own', () => {
    expect(slotPrefix('{checkout}:')).toBe('{checkout}:');
    expect(slotPrefix('svc:{eu}:')).toBe('svc:{eu}:');
  });

  it('wraps a prefix whose braces make no hash tag (empty or unclosed), as Redis would hash the whole key', () => {
    expect(slotPrefix('a{}b:')).toBe('{a{}b:}');
    expect(slotPrefix('a{b:')).toBe('{a{b:}');
  });
});
