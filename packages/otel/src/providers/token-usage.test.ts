import { describe, expect, it } from 'vitest';
import { tokenUsage } from './token-usage.js';

describe('tokenUsage', () => {
  it('defaults the parts to 0', () => {
    expect(tokenUsage({ input: 10, output: 2 })).toEqual({ input: 10, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('keeps the parts within their totals whatever the provider sent', () => {
    expect(tokenUsage({ input: 10, output: 2, cacheRead: 8, cacheWrite: 5, reasoning: 7 })).toEqual({
      input: 10,
      output: 2,
      cacheRead: 8,
      cacheWrite: 2,
      reasoning: 2,
    });
    expect(tokenUsage({ input: 10, output: 0, cacheRead: 50 })).toMatchObject({ cacheRead: 10, cacheWrite: 0 });
  });
});
