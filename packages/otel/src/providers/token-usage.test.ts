import { describe, expect, it } from 'vitest';
import { tokenUsage } from './token-usage.js';

describe('tokenUsage', () => {
  it('defaults the parts to 0', () => {
    expect(tokenUsage({ input: 10, output: 2 })).toEqual({ input: 10, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('keeps the parts within their totals whatever the provider sent', () => {
    expect(tokenUsage({ input: 10, output: 2, cacheRead: 12, cacheWrite: 15, reasoning: 7 })).toEqual({
      input: 10,
      output: 2,
      cacheRead: 10,
      cacheWrite: 10,
      reasoning: 2,
    });
    expect(tokenUsage({ input: 10, output: 0, cacheRead: 50 })).toMatchObject({ cacheRead: 10, cacheWrite: 0 });
  });

  it('keeps cache writes that overlap cache reads as the provider reported them', () => {
    expect(tokenUsage({ input: 2168, output: 9, cacheRead: 2161, cacheWrite: 2161 })).toMatchObject({ cacheRead: 2161, cacheWrite: 2161 });
  });
});
