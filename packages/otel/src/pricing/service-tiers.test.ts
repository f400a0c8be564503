import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { adapterByName } from '../providers/registry.js';
import type { RequestFacts, ResponseFacts } from '../model/usage.js';
import { priceCall } from './price-call.js';
import { PriceTable } from './price-table.js';
import { priceOnTier } from './service-tiers.js';

const usage = { input: 10_000, output: 2_000, cacheRead: 4_000, cacheWrite: 0, reasoning: 0 };
const standard = (model: string, providerId = 'openai'): number =>
  calcPrice({ input_tokens: usage.input, output_tokens: usage.output, cache_read_tokens: usage.cacheRead }, model, { providerId })!.total_price;

describe('priceOnTier', () => {
  it('halves the standard price on flex (Batch API rates)', () => {
    expect(priceOnTier('openai', 'flex', { usd: 0.04, model: 'o3' }, usage)).toEqual({ usd: 0.02, model: 'o3' });
    expect(priceOnTier('azure', 'flex', { usd: 0.04, model: 'o3' }, usage)).toEqual({ usd: 0.02, model: 'o3' });
  });

  it('prices priority from OpenAI priority price list (gpt-4o-mini: $0.25 / $0.125 cached / $1.00 per 1M)', () => {
    const price = priceOnTier('openai', 'priority', { usd: standard('gpt-4o-mini'), model: 'gpt-4o-mini' }, usage);
    expect(price.usd).toBeCloseTo((6_000 * 0.25 + 4_000 * 0.125 + 2_000 * 1) / 1e6, 15);
  });

  it('prices priority at twice the standard price for a model the list lacks', () => {
    expect(priceOnTier('openai', 'priority', { usd: 0.003, model: 'gpt-3.5-turbo' }, usage).usd).toBeCloseTo(0.006, 15);
  });

  it.each([
    ['openai', 'default'],
    ['openai', 'auto'],
    ['openai', 'scale'],
    ['openai', undefined],
    ['azure', 'priority'],
    ['groq', 'flex'],
    ['groq', 'on_demand'],
  ])('keeps the standard price for %s on tier %s', (pricingId, tier) => {
    expect(priceOnTier(pricingId, tier, { usd: 0.01, model: 'gpt-4o' }, usage)).toEqual({ usd: 0.01, model: 'gpt-4o' });
  });
});

describe('priceCall on a service tier', () => {
  const openai = adapterByName('openai')!;
  const request: RequestFacts = { operation: 'chat', api: 'chat_completions', model: 'gpt-4o', stream: false, maxOutputTokens: 100, inputTokenEstimate: 40 };
  const facts = (serviceTier: string | undefined): ResponseFacts => ({
    model: 'gpt-4o-2024-08-06',
    responseId: 'chatcmpl-1',
    usage,
    usageComplete: true,
    providerCostUsd: undefined,
    outputTokenEstimate: 0,
    serviceTier,
  });

  it('applies the tier the response reports', () => {
    const table = new PriceTable();
    expect(priceCall(openai, request, facts('default'), table).cost?.usd).toBeCloseTo(standard('gpt-4o'), 15);
    expect(priceCall(openai, request, facts('flex'), table).cost?.usd).toBeCloseTo(standard('gpt-4o') / 2, 15);
    expect(priceCall(openai, request, facts('priority'), table).cost).toEqual({
      usd: expect.closeTo((6_000 * 4.25 + 4_000 * 2.125 + 2_000 * 17) / 1e6, 15),
      source: 'price_table',
      pricedModel: 'gpt-4o',
    });
  });

  it('never touches a cost the provider reported', () => {
    expect(priceCall(openai, request, { ...facts('flex'), providerCostUsd: 0.5 }, new PriceTable()).cost?.usd).toBe(0.5);
  });
});
