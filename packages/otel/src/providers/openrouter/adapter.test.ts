import { describe, expect, it } from 'vitest';
import { openRouterCost } from './adapter.js';

describe('openRouterCost', () => {
  it('is usage.cost, in USD', () => {
    expect(openRouterCost({ cost: 0.00001255, is_byok: false, cost_details: { upstream_inference_cost: 0.00001255 } })).toBe(0.00001255);
  });

  it('adds what the provider bills the app own key for a BYOK call', () => {
    expect(openRouterCost({ cost: 0.95, is_byok: true, cost_details: { upstream_inference_cost: 19 } })).toBeCloseTo(19.95, 12);
    expect(openRouterCost({ cost: 0, is_byok: true, cost_details: { upstream_inference_cost: 0.0012 } })).toBe(0.0012);
  });

  it('ignores a missing or malformed upstream cost', () => {
    expect(openRouterCost({ cost: 0.5, is_byok: true, cost_details: { upstream_inference_cost: null } })).toBe(0.5);
    expect(openRouterCost({ cost: 0.5, is_byok: true, cost_details: null })).toBe(0.5);
    expect(openRouterCost({ cost: 0.5, is_byok: true, cost_details: { upstream_inference_cost: -3 } })).toBe(0.5);
  });

  it.each([[{ cost: 0 }], [{ cost: -0.1 }], [{ cost: '0.5' }], [{ cost: Number.NaN }], [{}], [null]])('reports no cost for %j', (usage) => {
    expect(openRouterCost(usage)).toBeUndefined();
  });
});
