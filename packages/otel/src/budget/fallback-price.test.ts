import { describe, expect, it } from 'vitest';
import { adapterByName } from '../providers/registry.js';
import type { RequestFacts } from '../model/usage.js';
import { FallbackPrices } from './fallback-price.js';

const openai = adapterByName('openai')!;
const anthropic = adapterByName('anthropic')!;
const request: RequestFacts = {
  operation: 'chat',
  api: 'chat_completions',
  model: 'gpt-9',
  stream: false,
  maxOutputTokens: undefined,
  inputTokenEstimate: 100,
};
const usage = { input: 1000, output: 500, cacheRead: 0, cacheWrite: 0, reasoning: 0 };

describe('FallbackPrices', () => {
  it("prices every token at the provider's highest known price in the price data", () => {
    const fallback = new FallbackPrices({}, 4096);
    // o1-pro: $150 per million input tokens, $600 per million output tokens.
    expect(fallback.perToken(openai)).toEqual({ input: 150 / 1e6, output: 600 / 1e6 });
    expect(fallback.perToken(anthropic).output).toBeGreaterThanOrEqual(75 / 1e6);
  });

  it('counts a dearer price override of the provider', () => {
    const fallback = new FallbackPrices({ openai: { 'my-finetune': { input: 200, output: 10 } } }, 4096);
    expect(fallback.perToken(openai)).toEqual({ input: 200 / 1e6, output: 600 / 1e6 });
  });

  it('bounds a provider the price data does not know by the dearest of all', () => {
    const fallback = new FallbackPrices({}, 4096);
    const price = fallback.perToken({ name: 'acme', pricingId: 'acme-unknown' });
    expect(price.input).toBeGreaterThanOrEqual(fallback.perToken(openai).input);
    expect(price.output).toBeGreaterThanOrEqual(fallback.perToken(openai).output);
  });

  it('holds an unknown model at its usage and a batch at its worst case, and nothing else', () => {
    const fallback = new FallbackPrices({}, 4096);
    expect(fallback.budgetUsd(openai, request, { usage, model: 'gpt-9', cost: undefined, unpricedReason: 'unknown_model' })).toBeCloseTo(
      (1000 * 150 + 500 * 600) / 1e6,
      12,
    );
    const batch = { usage: { ...usage, input: 0, output: 0 }, model: undefined, cost: undefined, unpricedReason: 'billed_later' as const };
    expect(fallback.budgetUsd(openai, { ...request, model: undefined }, batch)).toBeCloseTo((100 * 150 + 4096 * 600) / 1e6, 12);
    expect(fallback.budgetUsd(openai, request, { usage, model: 'gpt-4o-mini', cost: undefined, unpricedReason: 'body_unobservable' })).toBeUndefined();
    // Provisioned capacity is paid by the hour: no per-call estimate stands in for it.
    expect(fallback.budgetUsd(openai, request, { usage, model: 'gemini-2.5-flash', cost: undefined, unpricedReason: 'provisioned' })).toBeUndefined();
    expect(
      fallback.budgetUsd(openai, request, {
        usage,
        model: 'gpt-4o-mini',
        cost: { usd: 1, source: 'price_table', pricedModel: 'gpt-4o-mini' },
        unpricedReason: undefined,
      }),
    ).toBeUndefined();
  });
});
