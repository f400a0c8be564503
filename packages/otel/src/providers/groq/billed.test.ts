/**
 * A Groq compound system's answer, replayed from a recorded cassette (the
 * fixture names it): priced model by model from its usage breakdown and
 * checked against the price data's rates multiplied out by hand.
 */
import { readFileSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { groqAdapter } from './adapter.js';

function rates(modelId: string): Record<string, number> {
  return findProvider({ providerId: 'groq' })!.models.find((m) => m.id === modelId)!.prices as Record<string, number>;
}

const request: RequestFacts = {
  operation: 'chat',
  api: 'chat_completions',
  model: 'groq/compound',
  stream: false,
  maxOutputTokens: undefined,
  inputTokenEstimate: 10,
};
const recorded = JSON.parse(readFileSync(new URL('./fixtures/compound-web-search.json', import.meta.url), 'utf8')).body;

describe('Groq compound systems', () => {
  it('prices each model the system ran at its own rates, and counts its web search unpriced (no Groq tool prices in the data)', () => {
    const reader = groqAdapter.createReader(request, 'application/json');
    reader.push(new TextEncoder().encode(JSON.stringify(recorded)));
    const result = priceCall(groqAdapter, request, reader.finish(), new PriceTable());
    const llama = rates('llama-3.3-70b-versatile');
    const scout = rates('meta-llama/llama-4-scout-17b-16e-instruct');
    const expected =
      ((138 + 2285) * llama['input_mtok']! + (4 + 222) * llama['output_mtok']! + (495 + 2378) * scout['input_mtok']! + (106 + 55) * scout['output_mtok']!) /
      1e6;
    expect(result.usage).toMatchObject({ input: 5296, output: 387 });
    expect(result.cost).toEqual({ usd: expect.closeTo(expected, 12), source: 'price_table', pricedModel: 'groq/compound' });
    expect(result.units).toEqual({ web_searches: 1 });
    expect(result.unpricedReason).toBe('unit_unpriced');
    // The breakdown makes up the usage: its tokens are not counted again.
    expect(result.steps).toBeUndefined();
  });

  it("prices a streamed compound call model by model from its final chunk's x_groq.usage_breakdown, and counts its web search once", () => {
    const streamed: RequestFacts = { ...request, model: 'compound-beta', stream: true };
    const reader = groqAdapter.createReader(streamed, 'text/event-stream');
    reader.push(new TextEncoder().encode(readFileSync(new URL('./fixtures/compound-web-search-stream.sse', import.meta.url), 'utf8')));
    const result = priceCall(groqAdapter, streamed, reader.finish(), new PriceTable());
    const llama = rates('llama-3.3-70b-versatile');
    const scout = rates('meta-llama/llama-4-scout-17b-16e-instruct');
    // The breakdown as recorded lists four runs of 5003 in and 359 out: two on each model.
    const expected = (2 * (5003 * llama['input_mtok']! + 359 * llama['output_mtok']!) + 2 * (5003 * scout['input_mtok']! + 359 * scout['output_mtok']!)) / 1e6;
    expect(result.model).toBe('groq/compound');
    expect(result.usage).toMatchObject({ input: 5003, output: 359 });
    expect(result.cost).toEqual({ usd: expect.closeTo(expected, 12), source: 'price_table', pricedModel: 'groq/compound' });
    // The search comes in two events (its arguments, then its output) under one index.
    expect(result.units).toEqual({ web_searches: 1 });
    expect(result.unpricedReason).toBe('unit_unpriced');
  });
});
