/**
 * OpenRouter's own numbers kept as reported: its cache writes, and its cost,
 * replayed from a recorded answer (the fixture names the cassette it comes from).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { openrouterAdapter } from './adapter.js';

const request: RequestFacts = { operation: 'chat', api: 'responses', model: undefined, stream: false, maxOutputTokens: undefined, inputTokenEstimate: 10 };
const recorded = JSON.parse(readFileSync(new URL('./fixtures/responses-cache-write.json', import.meta.url), 'utf8')).body;

function price(body: unknown) {
  const reader = openrouterAdapter.createReader(request, 'application/json');
  reader.push(new TextEncoder().encode(JSON.stringify(body)));
  return priceCall(openrouterAdapter, request, reader.finish(), new PriceTable());
}

describe('OpenRouter usage as reported', () => {
  it('keeps the cache writes and the cost OpenRouter reported', () => {
    const result = price(recorded);
    expect(result.usage).toEqual({ input: 4020, output: 5, cacheRead: 0, cacheWrite: 4012, reasoning: 0 });
    expect(result.cost).toMatchObject({ usd: 0.025265, source: 'provider' });
  });

  it('keeps cache writes that overlap cache reads, and the cost that bills both', () => {
    // The recorded answer with a cache read of the same tokens added by hand, as OpenRouter reports for some upstreams.
    const overlapping = { ...recorded, usage: { ...recorded.usage, input_tokens_details: { cached_tokens: 4012, cache_write_tokens: 4012 } } };
    const result = price(overlapping);
    expect(result.usage).toEqual({ input: 4020, output: 5, cacheRead: 4012, cacheWrite: 4012, reasoning: 0 });
    expect(result.cost).toMatchObject({ usd: 0.025265, source: 'provider' });
  });

  it('prices overlapping counts from the price data without charging a token twice when no cost is reported', () => {
    const overlapping = { ...recorded, usage: { ...recorded.usage, cost: 0, input_tokens_details: { cached_tokens: 4012, cache_write_tokens: 4012 } } };
    // Of 4020 input tokens, 4012 were read: at most the other 8 can have been written.
    const disjoint = { ...recorded, usage: { ...recorded.usage, cost: 0, input_tokens_details: { cached_tokens: 4012, cache_write_tokens: 8 } } };
    const cost = price(overlapping).cost;
    expect(cost?.source).toBe('price_table');
    expect(cost?.usd).toBeCloseTo(price(disjoint).cost!.usd, 15);
  });
});
