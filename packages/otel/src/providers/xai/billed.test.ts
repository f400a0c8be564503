/** xAI's Live Search sources and server-side tool calls: counted, and priced by the cost xAI reports. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { xaiAdapter } from './adapter.js';

const request: RequestFacts = {
  operation: 'chat',
  api: 'chat_completions',
  model: 'grok-3-mini',
  stream: false,
  maxOutputTokens: undefined,
  inputTokenEstimate: 10,
};
const answer = JSON.parse(readFileSync(new URL('./fixtures/chat-completion.json', import.meta.url), 'utf8'));

function price(usage: Record<string, unknown>) {
  const reader = xaiAdapter.createReader(request, 'application/json');
  reader.push(new TextEncoder().encode(JSON.stringify({ ...answer, usage: { ...answer.usage, ...usage } })));
  return priceCall(xaiAdapter, request, reader.finish(), new PriceTable());
}

describe('xAI server-side tools', () => {
  it('counts Live Search sources and tool calls, and takes the cost xAI reports for them', () => {
    const result = price({
      num_sources_used: 12,
      server_side_tool_usage_details: { web_search_calls: 2, x_search_calls: 1 },
      cost_in_usd_ticks: 3_001_988_000,
    });
    expect(result.units).toEqual({ search_sources: 12, web_searches: 2, x_searches: 1 });
    expect(result.cost).toMatchObject({ usd: 0.3001988, source: 'provider' });
    expect(result.unpricedReason).toBeUndefined();
  });

  it('prices the tokens and counts the call unpriced when no cost was reported: the price data has no xAI tool prices', () => {
    const result = price({ num_sources_used: 12, cost_in_usd_ticks: undefined });
    expect(result.cost?.source).toBe('price_table');
    expect(result.unpricedReason).toBe('unit_unpriced');
  });
});
