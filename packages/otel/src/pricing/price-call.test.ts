import { describe, expect, it } from 'vitest';
import { adapterByName } from '../providers/registry.js';
import type { RequestFacts, ResponseFacts } from '../model/usage.js';
import { priceCall } from './price-call.js';
import { PriceTable } from './price-table.js';

const openai = adapterByName('openai')!;
const table = new PriceTable();
const request: RequestFacts = {
  operation: 'chat',
  api: 'chat_completions',
  model: 'gpt-4o-mini',
  stream: true,
  maxOutputTokens: 100,
  inputTokenEstimate: 40,
};
const usage = { input: 50, output: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
const facts = (patch: Partial<ResponseFacts>): ResponseFacts => ({
  model: 'gpt-4o-mini-2024-07-18',
  responseId: 'chatcmpl-1',
  usage,
  usageComplete: true,
  providerCostUsd: undefined,
  outputTokenEstimate: 0,
  ...patch,
});

describe('priceCall', () => {
  it('prices final usage from the price table', () => {
    const result = priceCall(openai, request, facts({}), table);
    expect(result.cost).toEqual({ usd: expect.closeTo((50 * 0.15 + 10 * 0.6) / 1e6, 15), source: 'price_table', pricedModel: 'gpt-4o-mini' });
    expect(result.usage).toEqual(usage);
  });

  it('takes the provider-reported cost when there is one', () => {
    const result = priceCall(openai, request, facts({ providerCostUsd: 0.0123 }), table);
    expect(result.cost).toEqual({ usd: 0.0123, source: 'provider', pricedModel: 'gpt-4o-mini-2024-07-18' });
  });

  it('estimates a stream cut before its usage from the request and the content seen', () => {
    const result = priceCall(openai, request, facts({ usage: undefined, usageComplete: false, outputTokenEstimate: 7 }), table);
    expect(result.usage).toEqual({ input: 40, output: 7, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    expect(result.cost).toEqual({ usd: expect.closeTo((40 * 0.15 + 7 * 0.6) / 1e6, 15), source: 'estimated', pricedModel: 'gpt-4o-mini' });
  });

  it('keeps the exact part of partial usage when estimating', () => {
    const partial = { input: 500, output: 1, cacheRead: 100, cacheWrite: 0, reasoning: 0 };
    const result = priceCall(openai, request, facts({ usage: partial, usageComplete: false, outputTokenEstimate: 12 }), table);
    expect(result.usage).toEqual({ input: 500, output: 12, cacheRead: 100, cacheWrite: 0, reasoning: 0 });
    expect(result.cost?.source).toBe('estimated');
  });

  it('never prices an unknown model at $0: it says why', () => {
    const unknown = priceCall(openai, { ...request, model: 'mystery' }, facts({ model: 'mystery-001' }), table);
    expect(unknown.cost).toBeUndefined();
    expect(unknown.unpricedReason).toBe('unknown_model');
    const nameless = priceCall(openai, { ...request, model: undefined }, facts({ model: undefined }), table);
    expect(nameless.unpricedReason).toBe('no_model');
  });
});
