/**
 * Anthropic calls billed beyond their top-level usage, replayed from
 * recorded traffic (each fixture names the cassette it comes from) and
 * checked against the price data's rates multiplied out by hand.
 */
import { readFileSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts, ResponseFacts } from '../types.js';
import { anthropicAdapter } from './adapter.js';

const table = new PriceTable();

/** A model's rates in USD per million tokens (per thousand for `_kcount`), read from the price data as a finance team would. */
function rates(modelId: string): Record<string, number> {
  const model = findProvider({ providerId: 'anthropic' })!.models.find((m) => m.id === modelId)!;
  const prices = Array.isArray(model.prices) ? model.prices[0]!.prices : model.prices;
  // These calls stay under every tier's start: the base rate applies.
  return Object.fromEntries(Object.entries(prices).map(([key, value]) => [key, typeof value === 'number' ? value : (value as { base: number }).base]));
}

/** USD of Anthropic counts at a model's rates: `input` excludes the cache reads and writes, as on the wire. */
function usd(modelId: string, counts: { input: number; cacheWrite?: number; cacheRead?: number; output: number; searches?: number }): number {
  const r = rates(modelId);
  return (
    (counts.input * r['input_mtok']! +
      (counts.cacheWrite ?? 0) * r['cache_write_mtok']! +
      (counts.cacheRead ?? 0) * r['cache_read_mtok']! +
      counts.output * r['output_mtok']!) /
      1e6 +
    ((counts.searches ?? 0) * r['web_searches_kcount']!) / 1e3
  );
}

function read(name: string, stream: boolean): { request: RequestFacts; facts: ResponseFacts } {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  const request: RequestFacts = { operation: 'chat', api: 'messages', model: undefined, stream, maxOutputTokens: 4096, inputTokenEstimate: 10 };
  const reader = anthropicAdapter.createReader(request, stream ? 'text/event-stream; charset=utf-8' : 'application/json');
  reader.push(new TextEncoder().encode(stream ? text : JSON.stringify(JSON.parse(text).body)));
  return { request, facts: reader.finish() };
}

function price(name: string, stream: boolean) {
  const { request, facts } = read(name, stream);
  return priceCall(anthropicAdapter, request, facts, table);
}

describe('Anthropic usage.iterations', () => {
  it('prices a compaction step, which the top-level usage leaves out (JSON)', () => {
    const result = price('compaction.json', false);
    expect(result.usage).toEqual({ input: 229, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    const expected = usd('claude-sonnet-4-6', { input: 229, output: 5 }) + usd('claude-sonnet-4-6', { input: 100, cacheWrite: 55096, output: 131 });
    expect(result.cost).toEqual({ usd: expect.closeTo(expected, 12), source: 'price_table', pricedModel: 'claude-sonnet-4-6' });
    expect(result.unpricedReason).toBeUndefined();
  });

  it("prices a stream's compaction step, which message_delta's usage replaces out of message_start's", () => {
    const result = price('compaction-stream.sse', true);
    expect(result.usage).toEqual({ input: 181, output: 8, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    const expected = usd('claude-sonnet-4-6', { input: 181, output: 8 }) + usd('claude-sonnet-4-6', { input: 100, cacheRead: 55096, output: 83 });
    expect(result.cost?.usd).toBeCloseTo(expected, 12);
    expect(result.steps).toEqual([{ kind: 'compaction', usage: { input: 55196, output: 83, cacheRead: 55096, cacheWrite: 0, reasoning: 0 } }]);
  });

  it("prices the advisor's step at the advisor's model (JSON)", () => {
    const result = price('advisor.json', false);
    const expected = usd('claude-sonnet-5', { input: 2390, output: 121 }) + usd('claude-opus-4-8', { input: 2518, output: 22 });
    expect(result.cost).toEqual({ usd: expect.closeTo(expected, 12), source: 'price_table', pricedModel: 'claude-sonnet-5' });
  });

  it("prices the advisor's step at the advisor's model (stream)", () => {
    const result = price('advisor-stream.sse', true);
    const expected = usd('claude-sonnet-5', { input: 2411, output: 145 }) + usd('claude-opus-4-8', { input: 2543, output: 18 });
    expect(result.cost?.usd).toBeCloseTo(expected, 12);
    expect(result.usage.reasoning).toBe(47);
  });

  it('leaves a step on a model the price data does not know unpriced, and prices the rest', () => {
    const { request, facts } = read('advisor.json', false);
    const steps = facts.steps!.map((step) => ({ ...step, model: 'claude-unreleased-9' }));
    const result = priceCall(anthropicAdapter, request, { ...facts, steps }, table);
    expect(result.cost?.usd).toBeCloseTo(usd('claude-sonnet-5', { input: 2390, output: 121 }), 12);
    expect(result.unpricedReason).toBe('unknown_model');
  });
});

describe('Anthropic server tools', () => {
  it('prices web searches at the price data rate and counts them (JSON)', () => {
    const result = price('web-search.json', false);
    expect(result.units).toEqual({ web_searches: 1 });
    expect(result.cost).toEqual({
      usd: expect.closeTo(usd('claude-sonnet-4-0', { input: 8984, output: 520, searches: 1 }), 12),
      source: 'price_table',
      pricedModel: 'claude-sonnet-4-0',
    });
  });

  it('prices web searches reported in message_delta (stream)', () => {
    const result = price('web-search-stream.sse', true);
    expect(result.units).toEqual({ web_searches: 2 });
    expect(result.cost?.usd).toBeCloseTo(usd('claude-sonnet-4-0', { input: 31772, output: 644, searches: 2 }), 12);
  });

  it('counts web fetches, free beyond their tokens, without calling the price short', () => {
    const { request, facts } = read('web-search.json', false);
    const result = priceCall(anthropicAdapter, request, { ...facts, units: { web_fetches: 3 } }, table);
    expect(result.units).toEqual({ web_fetches: 3 });
    expect(result.cost?.usd).toBeCloseTo(usd('claude-sonnet-4-0', { input: 8984, output: 520 }), 12);
    expect(result.unpricedReason).toBeUndefined();
  });

  it('prices the tokens and says why the call is short when a tool fee has no price', () => {
    const { request, facts } = read('web-search.json', false);
    const result = priceCall(anthropicAdapter, request, { ...facts, units: { code_executions: 1 } }, table);
    expect(result.cost?.usd).toBeCloseTo(usd('claude-sonnet-4-0', { input: 8984, output: 520 }), 12);
    expect(result.unpricedReason).toBe('unit_unpriced');
  });
});

describe('Anthropic cache writes and tiers', () => {
  it('prices one-hour cache writes at their own rate', () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      model: 'claude-haiku-4-5',
      content: [],
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 3000,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
        output_tokens: 5,
      },
    };
    const request: RequestFacts = { operation: 'chat', api: 'messages', model: 'claude-haiku-4-5', stream: false, maxOutputTokens: 10, inputTokenEstimate: 1 };
    const reader = anthropicAdapter.createReader(request, 'application/json');
    reader.push(new TextEncoder().encode(JSON.stringify(body)));
    const r = rates('claude-haiku-4-5');
    const expected = (10 * r['input_mtok']! + 1000 * r['cache_write_mtok']! + 2000 * r['cache_write_1h_mtok']! + 5 * r['output_mtok']!) / 1e6;
    expect(priceCall(anthropicAdapter, request, reader.finish(), table).cost?.usd).toBeCloseTo(expected, 12);
  });

  it.each([
    ['priority', undefined, 'tier_unpriced'],
    ['standard', 'fast', 'tier_unpriced'],
  ])('counts a call on service_tier %s (speed %s) unpriced, at the standard price as an estimate: the price data has no such tier', (tier, speed, reason) => {
    const { request, facts } = read('web-search.json', false);
    const body = JSON.parse(readFileSync(new URL('./fixtures/web-search.json', import.meta.url), 'utf8')).body;
    body.usage.service_tier = tier;
    if (speed !== undefined) body.usage.speed = speed;
    const reader = anthropicAdapter.createReader(request, 'application/json');
    reader.push(new TextEncoder().encode(JSON.stringify(body)));
    const result = priceCall(anthropicAdapter, request, reader.finish(), table);
    expect(result.cost).toEqual({
      usd: expect.closeTo(usd('claude-sonnet-4-0', { input: 8984, output: 520, searches: 1 }), 12),
      source: 'estimated',
      pricedModel: 'claude-sonnet-4-0',
    });
    expect(result.unpricedReason).toBe(reason);
    expect(facts.serviceTier).toBe('standard');
  });

  it('prices US-only inference at 1.1 times the standard price', () => {
    const { request } = read('web-search.json', false);
    const body = JSON.parse(readFileSync(new URL('./fixtures/web-search.json', import.meta.url), 'utf8')).body;
    body.usage.inference_geo = 'us';
    const reader = anthropicAdapter.createReader(request, 'application/json');
    reader.push(new TextEncoder().encode(JSON.stringify(body)));
    const result = priceCall(anthropicAdapter, request, reader.finish(), table);
    // The factor is on the tokens; the search fee is per search.
    expect(result.cost?.usd).toBeCloseTo(
      usd('claude-sonnet-4-0', { input: 8984, output: 520 }) * 1.1 + usd('claude-sonnet-4-0', { input: 0, output: 0, searches: 1 }),
      12,
    );
  });

  it('prices a batch result at half the standard price', () => {
    const { request, facts } = read('web-search.json', false);
    const result = priceCall(anthropicAdapter, request, { ...facts, units: undefined, serviceTier: 'batch' }, table);
    expect(result.cost?.usd).toBeCloseTo(usd('claude-sonnet-4-0', { input: 8984, output: 520 }) / 2, 12);
  });
});
