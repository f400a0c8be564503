import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import { fireworksAdapter } from './adapter.js';

describe('fireworksAdapter', () => {
  it('prices a model by its accounts/fireworks/models/… name', () => {
    const model = 'accounts/fireworks/models/llama-v3p1-8b-instruct';
    const usage = { input: 27, output: 6, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const request = { operation: 'chat', api: 'chat_completions', model, stream: false, maxOutputTokens: undefined, inputTokenEstimate: 7 } as const;
    const facts = { model, responseId: 'x', usage, usageComplete: true, providerCostUsd: undefined, outputTokenEstimate: 0 };
    const expected = calcPrice({ input_tokens: 27, output_tokens: 6 }, model, { providerId: 'fireworks' })!.total_price;
    expect(priceCall(fireworksAdapter, request, facts, new PriceTable()).cost).toEqual({
      usd: expect.closeTo(expected, 15),
      source: 'price_table',
      pricedModel: 'llama-v3p1-8b-instruct',
    });
  });

  it('matches only its billable paths', () => {
    expect(fireworksAdapter.matchCall('POST', '/inference/v1/chat/completions')).toEqual({ operation: 'chat', api: 'chat_completions' });
    expect(fireworksAdapter.matchCall('POST', '/inference/v1/models')).toBeUndefined();
    expect(fireworksAdapter.matchCall('GET', '/inference/v1/chat/completions')).toBeUndefined();
  });
});
