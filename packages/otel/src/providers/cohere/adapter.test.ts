import { readFileSync } from 'node:fs';
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { cohereAdapter } from './adapter.js';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

type Api = 'chat' | 'chat_v1' | 'embed' | 'rerank';

function request(api: Api, stream: boolean, model = 'command-a-03-2025'): RequestFacts {
  return {
    operation: api === 'embed' ? 'embeddings' : api === 'rerank' ? 'rerank' : 'chat',
    api,
    model,
    stream,
    maxOutputTokens: undefined,
    inputTokenEstimate: 10,
  };
}

function read(api: Api, stream: boolean, contentType: string | undefined, file: string) {
  const reader = cohereAdapter.createReader(request(api, stream), contentType);
  reader.push(fixture(file));
  return reader.finish();
}

describe('cohereAdapter', () => {
  it('names the provider, its hosts and its catalog', () => {
    expect(cohereAdapter.name).toBe('cohere');
    expect(cohereAdapter.pricingId).toBe('cohere');
    expect(cohereAdapter.hosts).toEqual(['api.cohere.com', 'api.cohere.ai']);
    expect(cohereAdapter.catalog.map((entry) => entry.endpoint)).toEqual([
      'POST /v2/chat',
      'POST /v2/embed',
      'POST /v1/chat',
      'POST /v1/embed',
      'POST /v2/rerank',
      'POST /v1/rerank',
    ]);
  });

  it.each([
    ['chat', true, 'text/event-stream', 'chat-stream.sse', 5, 26],
    ['chat', true, undefined, 'chat-stream-tools.sse', 126, 84],
    ['chat', false, 'application/json', 'chat.json', 5, 418],
    ['chat', false, 'application/json', 'chat-documents.json', 682, 143],
    ['embed', false, 'application/json', 'embed.json', 2, 0],
    ['chat_v1', false, 'application/json', 'chat-v1.json', 6, 15],
    ['chat_v1', true, 'application/stream+json', 'chat-v1-stream.jsonl', 6, 15],
    ['chat_v1', true, undefined, 'chat-v1-stream.jsonl', 6, 15],
    ['embed', false, 'application/json', 'embed-v1.json', 4, 0],
  ] as const)('reads %s (stream %j, %s) from %s', (api, stream, contentType, file, input, output) => {
    expect(read(api, stream, contentType, file)).toMatchObject({ usage: { input, output }, usageComplete: true });
  });

  it('reads the response id of a JSON chat answer, and no model (the request names it)', () => {
    expect(read('chat', false, 'application/json', 'chat.json')).toMatchObject({ model: undefined, responseId: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4' });
  });

  it('reads a v1 chat answer: the billed units of its meta, its response id, no model', () => {
    const expected = { model: undefined, responseId: '7c1e0b2a-3f4d-4e8a-9b1c-5d6e7f809a1b', usage: { input: 6, output: 15 } };
    expect(read('chat_v1', false, 'application/json', 'chat-v1.json')).toMatchObject(expected);
    expect(read('chat_v1', true, 'application/stream+json', 'chat-v1-stream.jsonl')).toMatchObject({ ...expected, complete: true });
  });

  it('estimates a v1 stream cut before its stream-end from the text it carried', () => {
    const whole = new TextDecoder().decode(fixture('chat-v1-stream.jsonl'));
    const reader = cohereAdapter.createReader(request('chat_v1', true), 'application/stream+json');
    reader.push(new TextEncoder().encode(whole.slice(0, whole.indexOf('{"is_finished":true'))));
    // 12 text-generation events of 69 characters: the larger of 12 deltas and ceil(69 / 4) = 18.
    expect(reader.finish()).toMatchObject({ usage: undefined, usageComplete: false, outputTokenEstimate: 18 });
    expect('complete' in reader.finish()).toBe(false);
  });

  it('reads a JSON error answered to a stream request as no usage', () => {
    expect(read('chat', true, 'application/json', 'error.json')).toMatchObject({ usage: undefined, usageComplete: false });
  });

  it('prices a chat call from its billed units, as the price data does', () => {
    const table = new PriceTable();
    const facts = read('chat', false, 'application/json', 'chat-documents.json');
    const cost = priceCall(cohereAdapter, request('chat', false, 'command-r-plus-08-2024'), facts, table);
    const expected = calcPrice({ input_tokens: 682, output_tokens: 143 }, 'command-r-plus-08-2024', { providerId: 'cohere' })!.total_price;
    expect(cost.cost).toEqual({ usd: expect.closeTo(expected, 15), source: 'price_table', pricedModel: 'command-r-plus' });
    // command-r-plus: $2.50/M input, $10/M output.
    expect(expected).toBeCloseTo((682 * 2.5 + 143 * 10) / 1e6, 15);
  });

  it('prices text embeddings, and never prices image embeddings billed per image at $0', () => {
    const table = new PriceTable();
    const text = priceCall(cohereAdapter, request('embed', false, 'embed-v4.0'), read('embed', false, 'application/json', 'embed.json'), table);
    expect(text.cost?.usd).toBeCloseTo((2 * 0.12) / 1e6, 18);
    const images = priceCall(cohereAdapter, request('embed', false, 'embed-v4.0'), read('embed', false, 'application/json', 'embed-images.json'), table);
    expect(images).toMatchObject({ cost: undefined, unpricedReason: 'unit_unpriced', units: { images: 1 } });
  });

  it('reads a rerank answer as search units, and counts it unpriced, never $0: the price data has no Cohere rerank model', () => {
    const facts = read('rerank', false, 'application/json', 'rerank.json');
    expect(facts).toMatchObject({
      responseId: '07734bd2-2473-4f07-94e1-0d9f0e6843cf',
      usage: { input: 0, output: 0 },
      usageComplete: true,
      units: { search_units: 1 },
    });
    const table = new PriceTable();
    expect(priceCall(cohereAdapter, request('rerank', false, 'rerank-v3.5'), facts, table)).toMatchObject({
      cost: undefined,
      unpricedReason: 'unknown_model',
      units: { search_units: 1 },
    });
    // A token price from the config cannot price searches either.
    const overridden = new PriceTable({ cohere: { 'rerank-v3.5': { input: 1, output: 1 } } });
    expect(priceCall(cohereAdapter, request('rerank', false, 'rerank-v3.5'), facts, overridden)).toMatchObject({
      cost: undefined,
      unpricedReason: 'unit_unpriced',
    });
  });

  it('answers a blocked call in Cohere error shape', () => {
    expect(cohereAdapter.errorBody('costctl_gate_tripped', 'costctl blocked this call')).toEqual({
      message: 'costctl blocked this call',
      type: 'costctl_gate_tripped',
    });
  });

  it('never lets a reader throw', () => {
    const reader = cohereAdapter.createReader(request('chat', true), 'text/event-stream');
    expect(() => reader.push(null as unknown as Uint8Array)).not.toThrow();
    expect(reader.finish().usage).toBeUndefined();
  });
});
