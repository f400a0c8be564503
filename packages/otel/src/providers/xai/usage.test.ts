import { describe, expect, it } from 'vitest';
import { xaiChatUsage, xaiCost, xaiResponsesUsage } from './usage.js';

describe('xaiChatUsage', () => {
  it('adds the reasoning tokens xAI leaves out of completion_tokens', () => {
    expect(
      xaiChatUsage({
        prompt_tokens: 288,
        completion_tokens: 27,
        total_tokens: 628,
        prompt_tokens_details: { text_tokens: 288, audio_tokens: 0, image_tokens: 0, cached_tokens: 287 },
        completion_tokens_details: { reasoning_tokens: 313, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      }),
    ).toEqual({ input: 288, output: 340, cacheRead: 287, cacheWrite: 0, reasoning: 313 });
  });

  it('does not add them twice when a reseller folded them in (total = prompt + completion)', () => {
    expect(
      xaiChatUsage({ prompt_tokens: 686, completion_tokens: 123, total_tokens: 809, completion_tokens_details: { text_tokens: 11, reasoning_tokens: 112 } }),
    ).toEqual({ input: 686, output: 123, cacheRead: 0, cacheWrite: 0, reasoning: 112 });
  });

  it('follows xAI documented accounting when total_tokens is missing', () => {
    expect(xaiChatUsage({ prompt_tokens: 10, completion_tokens: 2, completion_tokens_details: { reasoning_tokens: 30 } })).toMatchObject({
      output: 32,
      reasoning: 30,
    });
  });

  it('reads a model without reasoning as is', () => {
    expect(xaiChatUsage({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 })).toEqual({
      input: 10,
      output: 2,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 0,
    });
  });
});

describe('xaiResponsesUsage', () => {
  it('applies the same rule to the Responses API', () => {
    expect(xaiResponsesUsage({ input_tokens: 10, output_tokens: 5, total_tokens: 35, output_tokens_details: { reasoning_tokens: 20 } })).toMatchObject({
      output: 25,
      reasoning: 20,
    });
    expect(xaiResponsesUsage({ input_tokens: 10, output_tokens: 25, total_tokens: 35, output_tokens_details: { reasoning_tokens: 20 } })).toMatchObject({
      output: 25,
      reasoning: 20,
    });
  });
});

describe('xaiCost', () => {
  it('converts ticks to USD at 10^10 ticks per dollar (docs.x.ai: 37756000 ticks is $0.0037756)', () => {
    expect(xaiCost({ cost_in_usd_ticks: 37756000 })).toBeCloseTo(0.0037756, 15);
    expect(xaiCost({ cost_in_usd_ticks: 200000000 })).toBeCloseTo(0.02, 15);
  });

  it.each([[{ cost_in_usd_ticks: 0 }], [{ cost_in_usd_ticks: -5 }], [{ cost_in_usd_ticks: '731000' }], [{}], [null], ['ticks']])(
    'reports no cost for %j',
    (usage) => {
      expect(xaiCost(usage)).toBeUndefined();
    },
  );
});
