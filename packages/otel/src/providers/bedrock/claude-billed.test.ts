/**
 * Claude on Bedrock billed beyond its top-level counts: compaction steps
 * (`usage.iterations`) and one-hour cache writes, in an InvokeModel body
 * (JSON and the invoke stream) and in a Converse answer, checked against
 * the price data's `aws` rates multiplied out by hand.
 *
 * InvokeModel returns Claude's Messages body unchanged, so the compaction
 * answers are pydantic-ai's recorded Anthropic cassettes (the fixtures name
 * them), answered here for a Bedrock model id. The one-hour cache writes
 * follow the shapes Bedrock documents: Claude's `usage.cache_creation`
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html)
 * and Converse's `usage.cacheDetails`
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html).
 */
import { readFileSync } from 'node:fs';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { bedrockAdapter } from './adapter.js';

const table = new PriceTable();
const SONNET = 'us.anthropic.claude-sonnet-4-6';
const OPUS_55 = 'global.anthropic.claude-opus-5-5';

/** A model's `aws` rates in USD per million tokens, read from the price data as a finance team would. */
function rates(modelId: string): Record<string, number> {
  const model = findProvider({ providerId: 'aws' })!.models.find((m) => m.id === modelId)!;
  const prices = Array.isArray(model.prices) ? model.prices[0]!.prices : model.prices;
  return Object.fromEntries(Object.entries(prices).map(([key, value]) => [key, typeof value === 'number' ? value : (value as { base: number }).base]));
}

/** USD of Claude counts at a model's rates: `input` excludes the cache reads and writes, as on the wire. */
function usd(r: Record<string, number>, counts: { input: number; cacheWrite?: number; cacheWrite1h?: number; cacheRead?: number; output: number }): number {
  const write1hRate = r['cache_write_1h_mtok'] ?? r['cache_write_mtok']!;
  return (
    (counts.input * r['input_mtok']! +
      (counts.cacheWrite ?? 0) * r['cache_write_mtok']! +
      (counts.cacheWrite1h ?? 0) * write1hRate +
      (counts.cacheRead ?? 0) * r['cache_read_mtok']! +
      counts.output * r['output_mtok']!) /
    1e6
  );
}

function recordedBody(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../anthropic/fixtures/${name}`, import.meta.url), 'utf8')).body;
}

function price(api: string, model: string, contentType: string, bytes: Uint8Array, headers: Record<string, string> = {}) {
  const request: RequestFacts = { operation: 'chat', api, model, stream: api.endsWith('stream'), maxOutputTokens: 4096, inputTokenEstimate: 10 };
  const reader = bedrockAdapter.createReader(request, contentType, (name) => headers[name]);
  reader.push(bytes);
  return priceCall(bedrockAdapter, request, reader.finish(), table);
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

function event(type: string, payload: unknown): Uint8Array {
  const string = (value: string) => ({ type: 'string' as const, value });
  return codec.encode({
    headers: { ':event-type': string(type), ':content-type': string('application/json'), ':message-type': string('event') },
    body: json(payload),
  });
}

/** An InvokeModelWithResponseStream answer carrying a recorded Messages SSE stream's events, Bedrock's invocation metrics on the last. */
function invokeStream(sse: string, metrics: Record<string, number>): Uint8Array {
  const events = sse
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
  const last = events.length - 1;
  const chunks = events.map((inner, i) => {
    const payload = i === last ? { ...inner, 'amazon-bedrock-invocationMetrics': metrics } : inner;
    return event('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64'), p: 'abcdefgh' });
  });
  return Buffer.concat(chunks);
}

describe('Claude on Bedrock: usage.iterations', () => {
  it('prices a compaction step of an InvokeModel body, which the token headers leave out as the top-level usage does', () => {
    // pydantic/pydantic-ai test_anthropic_compaction_usage_with_cache.yaml: top level 229 in, 5 out; compaction 100 in, 55096 written, 131 out.
    const headers = { 'x-amzn-bedrock-input-token-count': '229', 'x-amzn-bedrock-output-token-count': '5' };
    const result = price('invoke', SONNET, 'application/json', json(recordedBody('compaction.json')), headers);
    const r = rates('regional.anthropic.claude-sonnet-4-6-v1:0');
    expect(result.usage).toEqual({ input: 229, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    expect(result.steps).toEqual([{ kind: 'compaction', usage: { input: 55196, output: 131, cacheRead: 0, cacheWrite: 55096, reasoning: 0 } }]);
    const expected = usd(r, { input: 229, output: 5 }) + usd(r, { input: 100, cacheWrite: 55096, output: 131 });
    expect(result.cost).toEqual({ usd: expect.closeTo(expected, 12), source: 'price_table', pricedModel: 'regional.anthropic.claude-sonnet-4-6-v1:0' });
    expect(result.unpricedReason).toBeUndefined();
  });

  it('prices a compaction step in the invoke stream, which message_delta lists', () => {
    // pydantic/pydantic-ai test_anthropic_compaction_usage_with_cache_streaming.yaml: top level 181 in, 8 out; compaction 100 in, 55096 read, 83 out.
    const sse = readFileSync(new URL('../anthropic/fixtures/compaction-stream.sse', import.meta.url), 'utf8');
    const bytes = invokeStream(sse, { inputTokenCount: 181, outputTokenCount: 8, invocationLatency: 2400, firstByteLatency: 1900 });
    const result = price('invoke_stream', SONNET, 'application/vnd.amazon.eventstream', bytes);
    const r = rates('regional.anthropic.claude-sonnet-4-6-v1:0');
    expect(result.usage).toEqual({ input: 181, output: 8, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    expect(result.cost?.usd).toBeCloseTo(usd(r, { input: 181, output: 8 }) + usd(r, { input: 100, cacheRead: 55096, output: 83 }), 12);
    expect(result.unpricedReason).toBeUndefined();
  });
});

describe("Claude on Bedrock: an advisor step, under the call's inference profile", () => {
  // pydantic/pydantic-ai test_anthropic_advisor_tool.yaml: top level 2390 in, 121 out; an advisor step on claude-opus-4-8, 2518 in, 22 out.
  const headers = { 'x-amzn-bedrock-input-token-count': '2390', 'x-amzn-bedrock-output-token-count': '121' };
  const expected = (call: string, step: string) => usd(rates(call), { input: 2390, output: 121 }) + usd(rates(step), { input: 2518, output: 22 });

  it('prices the step at the global price of its model when the call went through the global profile', () => {
    const result = price('invoke', 'global.anthropic.claude-sonnet-5', 'application/json', json(recordedBody('advisor.json')), headers);
    expect(result.steps).toEqual([
      { kind: 'advisor_message', model: 'claude-opus-4-8', usage: { input: 2518, output: 22, cacheRead: 0, cacheWrite: 0, reasoning: 0 } },
    ]);
    // The global price is below the regional one: priced at the regional, the step would be over.
    expect(rates('global.anthropic.claude-opus-4-8-v1:0')['input_mtok']).toBeLessThan(rates('regional.anthropic.claude-opus-4-8-v1:0')['input_mtok']!);
    expect(result.cost).toEqual({
      usd: expect.closeTo(expected('global.anthropic.claude-sonnet-5-v1:0', 'global.anthropic.claude-opus-4-8-v1:0'), 12),
      source: 'price_table',
      pricedModel: 'global.anthropic.claude-sonnet-5-v1:0',
    });
    expect(result.unpricedReason).toBeUndefined();
  });

  it('prices it at the regional price through a regional profile, or without one, and in a profile ARN', () => {
    const regional = expected('regional.anthropic.claude-sonnet-5-v1:0', 'regional.anthropic.claude-opus-4-8-v1:0');
    for (const model of ['us.anthropic.claude-sonnet-5', 'eu.anthropic.claude-sonnet-5', 'anthropic.claude-sonnet-5']) {
      expect(price('invoke', model, 'application/json', json(recordedBody('advisor.json')), headers).cost?.usd).toBeCloseTo(regional, 12);
    }
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-5';
    expect(price('invoke', arn, 'application/json', json(recordedBody('advisor.json')), headers).cost?.usd).toBeCloseTo(
      expected('global.anthropic.claude-sonnet-5-v1:0', 'global.anthropic.claude-opus-4-8-v1:0'),
      12,
    );
  });
});

describe('Claude on Bedrock: one-hour cache writes', () => {
  const usage = {
    input_tokens: 12,
    cache_creation_input_tokens: 3000,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    output_tokens: 40,
  };
  const body = {
    id: 'msg_bdrk_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-opus-5-5',
    content: [{ type: 'text', text: 'Within budget.' }],
    stop_reason: 'end_turn',
    usage,
  };
  const headers = {
    'x-amzn-bedrock-input-token-count': '12',
    'x-amzn-bedrock-output-token-count': '40',
    'x-amzn-bedrock-cache-write-input-token-count': '3000',
  };

  it("prices an InvokeModel body's one-hour writes at the model's one-hour rate", () => {
    const result = price('invoke', OPUS_55, 'application/json', json(body), headers);
    const r = rates(OPUS_55);
    expect(r['cache_write_1h_mtok']).toBeDefined();
    expect(result.mediaTokens).toEqual({ cacheWrite1h: 2000 });
    expect(result.cost?.usd).toBeCloseTo(usd(r, { input: 12, cacheWrite: 1000, cacheWrite1h: 2000, output: 40 }), 12);
    expect(result.unpricedReason).toBeUndefined();
  });

  it('prices them at the five-minute rate and counts the call short on a model the price data has no one-hour rate for', () => {
    const result = price('invoke', SONNET, 'application/json', json(body), headers);
    const r = rates('regional.anthropic.claude-sonnet-4-6-v1:0');
    expect(r['cache_write_1h_mtok']).toBeUndefined();
    expect(result.cost?.usd).toBeCloseTo(usd(r, { input: 12, cacheWrite: 3000, output: 40 }), 12);
    expect(result.unpricedReason).toBe('modality_unpriced');
  });

  it("reads them from the invoke stream's message_start", () => {
    const sse = [
      `data: ${JSON.stringify({ type: 'message_start', message: { ...body, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } })}`,
      `data: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Within budget.' } })}`,
      `data: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 40 } })}`,
      `data: ${JSON.stringify({ type: 'message_stop' })}`,
    ].join('\n');
    const metrics = { inputTokenCount: 12, outputTokenCount: 40, cacheWriteInputTokenCount: 3000, invocationLatency: 900, firstByteLatency: 300 };
    const result = price('invoke_stream', OPUS_55, 'application/vnd.amazon.eventstream', invokeStream(sse, metrics));
    expect(result.mediaTokens).toEqual({ cacheWrite1h: 2000 });
    expect(result.cost?.usd).toBeCloseTo(usd(rates(OPUS_55), { input: 12, cacheWrite: 1000, cacheWrite1h: 2000, output: 40 }), 12);
  });

  const converseUsage = {
    inputTokens: 12,
    outputTokens: 40,
    totalTokens: 3052,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 3000,
    cacheDetails: [
      { ttl: '1h', inputTokens: 2000 },
      { ttl: '5m', inputTokens: 1000 },
    ],
  };

  it("prices Converse's one-hour writes, told apart in usage.cacheDetails", () => {
    const answer = {
      metrics: { latencyMs: 900 },
      output: { message: { role: 'assistant', content: [{ text: 'Within budget.' }] } },
      stopReason: 'end_turn',
      usage: converseUsage,
    };
    const result = price('converse', OPUS_55, 'application/json', json(answer));
    expect(result.usage).toEqual({ input: 3012, output: 40, cacheRead: 0, cacheWrite: 3000, reasoning: 0 });
    expect(result.mediaTokens).toEqual({ cacheWrite1h: 2000 });
    expect(result.cost?.usd).toBeCloseTo(usd(rates(OPUS_55), { input: 12, cacheWrite: 1000, cacheWrite1h: 2000, output: 40 }), 12);
  });

  it("prices ConverseStream's one-hour writes, in its metadata event", () => {
    const bytes = Buffer.concat([
      event('messageStart', { role: 'assistant', p: 'abcd' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Within budget.' }, p: 'abcd' }),
      event('messageStop', { stopReason: 'end_turn', p: 'abcd' }),
      event('metadata', { metrics: { latencyMs: 900 }, usage: converseUsage, p: 'abcd' }),
    ]);
    const result = price('converse_stream', OPUS_55, 'application/vnd.amazon.eventstream', bytes);
    expect(result.mediaTokens).toEqual({ cacheWrite1h: 2000 });
    expect(result.cost?.usd).toBeCloseTo(usd(rates(OPUS_55), { input: 12, cacheWrite: 1000, cacheWrite1h: 2000, output: 40 }), 12);
  });
});
