import { describe, expect, it } from 'vitest';
import { OutputEstimator } from './output-estimate.js';

describe('OutputEstimator', () => {
  it('starts at 0 and ignores deltas without text', () => {
    const estimate = new OutputEstimator();
    estimate.addDelta(0);
    estimate.addDelta(-1);
    estimate.addDelta(Number.NaN);
    expect(estimate.tokens).toBe(0);
  });

  it('counts one token per delta for short (one-token) deltas', () => {
    const estimate = new OutputEstimator();
    for (const chars of [1, 2, 1, 3]) estimate.addDelta(chars);
    expect(estimate.tokens).toBe(4);
  });

  it('counts characters / 4 for long deltas', () => {
    const estimate = new OutputEstimator();
    estimate.addDelta(40);
    estimate.addDelta(41);
    expect(estimate.tokens).toBe(21);
  });
});
