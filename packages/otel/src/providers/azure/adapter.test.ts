import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts, ResponseFacts } from '../types.js';
import { azureAdapter, azurePricingAlias } from './adapter.js';

const request: RequestFacts = {
  operation: 'chat',
  api: 'chat_completions',
  model: 'chat-prod',
  stream: false,
  maxOutputTokens: undefined,
  inputTokenEstimate: 9,
};
const usage = { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
const answered = (model: string | undefined): ResponseFacts => ({
  model,
  responseId: 'chatcmpl-1',
  usage,
  usageComplete: true,
  providerCostUsd: undefined,
  outputTokenEstimate: 0,
});
const listPrice = (model: string): number => calcPrice({ input_tokens: 1000, output_tokens: 200 }, model, { providerId: 'azure' })!.total_price;

describe('azurePricingAlias', () => {
  it.each([
    ['gpt-35-turbo', 'gpt-3.5-turbo'],
    ['gpt-35-turbo-0125', 'gpt-3.5-turbo'],
    ['gpt-35-turbo-instruct-0914', 'gpt-3.5-turbo-instruct'],
    ['gpt-5-chat-2025-08-07', 'gpt-5-chat'],
    ['codex-mini-2025-05-16', 'codex-mini'],
  ])('prices %s as %s', (model, alias) => {
    expect(azurePricingAlias(model)).toBe(alias);
  });

  it.each(['gpt-4o', 'chat-prod', 'o3'])('has no other name for %s', (model) => {
    expect(azurePricingAlias(model)).toBeUndefined();
  });
});

describe('pricing an Azure call', () => {
  const table = new PriceTable();

  it('prices from the model the response reports, not from the deployment name', () => {
    const cost = priceCall(azureAdapter, request, answered('gpt-4o-mini-2024-07-18'), table);
    expect(cost.cost).toEqual({ usd: expect.closeTo(listPrice('gpt-4o-mini'), 15), source: 'price_table', pricedModel: 'gpt-4o-mini' });
  });

  it('prices a versioned name the price data lacks under its family', () => {
    expect(calcPrice({ input_tokens: 1, output_tokens: 1 }, 'gpt-5-chat-2025-08-07', { providerId: 'azure' })).toBeNull();
    expect(priceCall(azureAdapter, request, answered('gpt-5-chat-2025-08-07'), table).cost?.usd).toBeCloseTo(listPrice('gpt-5-chat'), 15);
    expect(priceCall(azureAdapter, request, answered('gpt-35-turbo-0125'), table).cost?.usd).toBeCloseTo(listPrice('gpt-3.5-turbo'), 15);
  });

  it('keeps a dated snapshot that has its own price', () => {
    expect(priceCall(azureAdapter, request, answered('gpt-4o-2024-05-13'), table).cost?.usd).toBeCloseTo(listPrice('gpt-4o-2024-05-13'), 15);
    expect(listPrice('gpt-4o-2024-05-13')).not.toBeCloseTo(listPrice('gpt-4o'), 10);
  });

  it('counts a call whose response named no model, and whose deployment is no model, as unpriced', () => {
    expect(priceCall(azureAdapter, request, answered(undefined), table)).toMatchObject({ cost: undefined, unpricedReason: 'unknown_model' });
  });
});
