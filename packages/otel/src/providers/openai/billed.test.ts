/**
 * OpenAI Responses calls that run server-side tools, replayed from recorded
 * traffic (each fixture names the cassette it comes from) and checked
 * against the price data's rates multiplied out by hand.
 */
import { readFileSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { openaiAdapter } from './adapter.js';

const table = new PriceTable();

/** A model's rates in USD per million tokens (per thousand for `_kcount`), read from the price data as a finance team would. */
function rates(modelId: string): Record<string, number> {
  const model = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === modelId)!;
  const prices = Array.isArray(model.prices) ? model.prices[0]!.prices : model.prices;
  return Object.fromEntries(Object.entries(prices).map(([key, value]) => [key, typeof value === 'number' ? value : (value as { base: number }).base]));
}

/** USD of OpenAI counts: `input` includes the cached tokens, as on the wire. */
function usd(modelId: string, counts: { input: number; cached: number; output: number; webSearches?: number; fileSearches?: number }): number {
  const r = rates(modelId);
  return (
    ((counts.input - counts.cached) * r['input_mtok']! + counts.cached * r['cache_read_mtok']! + counts.output * r['output_mtok']!) / 1e6 +
    ((counts.webSearches ?? 0) * r['web_searches_kcount']! + (counts.fileSearches ?? 0) * r['storage_searches_kcount']!) / 1e3
  );
}

function price(name: string) {
  const stream = name.endsWith('.sse');
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  const request: RequestFacts = { operation: 'chat', api: 'responses', model: undefined, stream, maxOutputTokens: undefined, inputTokenEstimate: 10 };
  const reader = openaiAdapter.createReader(request, stream ? 'text/event-stream; charset=utf-8' : 'application/json');
  reader.push(new TextEncoder().encode(stream ? text : JSON.stringify(JSON.parse(text).body)));
  return priceCall(openaiAdapter, request, reader.finish(), table);
}

describe('OpenAI Responses server-side tools', () => {
  it('prices a web_search_call item per call, at the price data rate (JSON)', () => {
    const result = price('responses-web-search.json');
    expect(result.units).toEqual({ web_searches: 1 });
    expect(result.cost).toEqual({
      usd: expect.closeTo(usd('gpt-5', { input: 9299, cached: 8448, output: 577, webSearches: 1 }), 12),
      source: 'price_table',
      pricedModel: 'gpt-5',
    });
    expect(result.unpricedReason).toBeUndefined();
  });

  it('prices the web_search_call items of response.completed (stream)', () => {
    const result = price('responses-web-search-stream.sse');
    expect(result.units).toEqual({ web_searches: 1 });
    expect(result.cost?.usd).toBeCloseTo(usd('gpt-5', { input: 9463, cached: 8320, output: 582, webSearches: 1 }), 12);
  });

  it('prices a file_search_call item per call (JSON)', () => {
    const result = price('responses-file-search.json');
    expect(result.units).toEqual({ file_searches: 1 });
    expect(result.cost?.usd).toBeCloseTo(usd('gpt-4o', { input: 870, cached: 0, output: 30, fileSearches: 1 }), 12);
  });

  it('prices a file_search_call item per call (stream)', () => {
    const result = price('responses-file-search-stream.sse');
    expect(result.units).toEqual({ file_searches: 1 });
    expect(result.cost?.usd).toBeCloseTo(usd('gpt-4o', { input: 1177, cached: 0, output: 37, fileSearches: 1 }), 12);
  });

  it('counts a code interpreter call, billed per container and absent from the price data, as unpriced beside the priced tokens', () => {
    const text = readFileSync(new URL('./fixtures/responses-file-search.json', import.meta.url), 'utf8');
    const body = JSON.parse(text).body;
    body.output = [{ type: 'code_interpreter_call', id: 'ci_1', status: 'completed' }, ...body.output.slice(1)];
    const request: RequestFacts = { operation: 'chat', api: 'responses', model: undefined, stream: false, maxOutputTokens: undefined, inputTokenEstimate: 10 };
    const reader = openaiAdapter.createReader(request, 'application/json');
    reader.push(new TextEncoder().encode(JSON.stringify(body)));
    const result = priceCall(openaiAdapter, request, reader.finish(), table);
    expect(result.units).toEqual({ code_executions: 1 });
    expect(result.cost?.usd).toBeCloseTo(usd('gpt-4o', { input: 870, cached: 0, output: 30 }), 12);
    expect(result.unpricedReason).toBe('unit_unpriced');
  });
});

describe('OpenAI audio tokens', () => {
  const recorded = JSON.parse(readFileSync(new URL('./fixtures/chat-audio-input.json', import.meta.url), 'utf8')).body;
  const chat = (body: unknown) => {
    const request: RequestFacts = {
      operation: 'chat',
      api: 'chat_completions',
      model: undefined,
      stream: false,
      maxOutputTokens: undefined,
      inputTokenEstimate: 10,
    };
    const reader = openaiAdapter.createReader(request, 'application/json');
    reader.push(new TextEncoder().encode(JSON.stringify(body)));
    return priceCall(openaiAdapter, request, reader.finish(), table);
  };

  it("prices audio input at the model's audio rate", () => {
    // The recorded answer, its model renamed by hand to one the price data has audio rates for.
    const result = chat({ ...recorded, model: 'gpt-audio' });
    const r = rates('gpt-audio');
    expect(result.mediaTokens).toEqual({ inputAudio: 44 });
    expect(result.cost?.usd).toBeCloseTo((20 * r['input_mtok']! + 44 * r['input_audio_mtok']! + 9 * r['output_mtok']!) / 1e6, 12);
    expect(result.unpricedReason).toBeUndefined();
  });

  it('counts audio on a model the price data has no audio rate for as priced short, never as text alone', () => {
    const result = chat(recorded);
    const r = rates('gpt-4o-audio-preview');
    expect(result.mediaTokens).toEqual({ inputAudio: 44 });
    expect(result.cost?.usd).toBeCloseTo((64 * r['input_mtok']! + 9 * r['output_mtok']!) / 1e6, 12);
    expect(result.unpricedReason).toBe('modality_unpriced');
  });
});

describe('OpenAI Chat Completions search models', () => {
  const recorded = JSON.parse(readFileSync(new URL('./fixtures/chat-search-preview.json', import.meta.url), 'utf8')).body;
  const request: RequestFacts = {
    operation: 'chat',
    api: 'chat_completions',
    model: 'gpt-4o-search-preview',
    stream: false,
    maxOutputTokens: undefined,
    inputTokenEstimate: 10,
  };

  it('counts the web search each call runs; the price data has no per-call price for it, so the call is priced short and says so (JSON)', () => {
    const reader = openaiAdapter.createReader(request, 'application/json');
    reader.push(new TextEncoder().encode(JSON.stringify(recorded)));
    const result = priceCall(openaiAdapter, request, reader.finish(), table);
    const r = rates('gpt-4o-search-preview');
    expect(result.units).toEqual({ web_searches: 1 });
    expect(result.cost?.usd).toBeCloseTo((11 * r['input_mtok']! + 17 * r['output_mtok']!) / 1e6, 12);
    expect(result.unpricedReason).toBe('unit_unpriced');
  });

  it('counts it in a stream too', () => {
    // The recorded answer re-framed as the include_usage stream OpenAI sends for it.
    const chunk = (extra: object) => `data: ${JSON.stringify({ id: recorded.id, object: 'chat.completion.chunk', model: recorded.model, ...extra })}\n\n`;
    const text = `${chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' } }] })}${chunk({ choices: [], usage: recorded.usage })}data: [DONE]\n\n`;
    const reader = openaiAdapter.createReader({ ...request, stream: true }, 'text/event-stream');
    reader.push(new TextEncoder().encode(text));
    expect(priceCall(openaiAdapter, { ...request, stream: true }, reader.finish(), table)).toMatchObject({
      units: { web_searches: 1 },
      unpricedReason: 'unit_unpriced',
    });
  });
});
