import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter, RequestFacts, ResponseFacts } from '../types.js';
import { geminiAdapter, vertexAdapter, vertexPricingAlias } from './adapter.js';
import { geminiUsage } from './usage.js';

function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(path, import.meta.url)));
}

function read(adapter: ProviderAdapter, api: string, contentType: string | undefined, body: Uint8Array, model?: string): ResponseFacts {
  const request: RequestFacts = {
    operation: 'generate_content',
    api,
    model,
    stream: api.includes('stream'),
    maxOutputTokens: undefined,
    inputTokenEstimate: 5,
  };
  const reader = adapter.createReader(request, contentType);
  reader.push(body);
  return reader.finish();
}

describe('geminiUsage', () => {
  it('counts thoughts as output (reported outside the candidates), cached content inside input', () => {
    expect(geminiUsage({ promptTokenCount: 4117, candidatesTokenCount: 38, cachedContentTokenCount: 4096, thoughtsTokenCount: 412 })).toEqual({
      input: 4117,
      output: 450,
      cacheRead: 4096,
      cacheWrite: 0,
      reasoning: 412,
    });
  });

  it('counts tool-use prompt tokens as input', () => {
    expect(geminiUsage({ promptTokenCount: 20, toolUsePromptTokenCount: 300, candidatesTokenCount: 5 })).toMatchObject({ input: 320, output: 5 });
  });

  it.each([[{ candidatesTokenCount: 5 }], [{ promptTokenCount: '5' }], [{ trafficType: 'ON_DEMAND' }], [null], [[]]])(
    'has no usage without a prompt count: %j',
    (value) => {
      expect(geminiUsage(value)).toBeUndefined();
    },
  );
});

describe('geminiAdapter', () => {
  it('names the provider, its host and its price data', () => {
    expect([geminiAdapter.name, geminiAdapter.pricingId, geminiAdapter.hosts]).toEqual(['gcp.gemini', 'google', ['generativelanguage.googleapis.com']]);
  });

  it('reads a generateContent answer: usage, modelVersion, responseId', () => {
    expect(read(geminiAdapter, 'generate_content', 'application/json; charset=UTF-8', fixture('./fixtures/generate-content.json'))).toEqual({
      model: 'gemini-2.5-flash',
      responseId: 'mK5jaN2zLpTb1dkP0sXm8Ak',
      usage: { input: 4117, output: 450, cacheRead: 4096, cacheWrite: 0, reasoning: 412 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
    });
  });

  it('reads an alt=sse stream: the last cumulative usage wins', () => {
    expect(read(geminiAdapter, 'stream_generate_content', 'text/event-stream', fixture('./fixtures/stream.sse'))).toEqual({
      model: 'gemini-2.5-flash',
      responseId: 'Tq5jaKGkCoWd1dkPlqnYwQk',
      usage: { input: 11, output: 161, cacheRead: 0, cacheWrite: 0, reasoning: 138 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 30,
    });
  });

  it('keeps the partial usage of a stream cut before its finishing chunk, output at least the estimate', () => {
    const text = new TextDecoder().decode(fixture('./fixtures/stream.sse'));
    const cut = new TextEncoder().encode(text.slice(0, text.lastIndexOf('data: ')));
    expect(read(geminiAdapter, 'stream_generate_content', 'text/event-stream', cut)).toMatchObject({
      usage: { input: 11, output: 152, reasoning: 138 },
      usageComplete: false,
      outputTokenEstimate: 19,
    });
  });

  it('reports an error chunk after the 200 as the stream failing, keeping the usage it had', () => {
    const text = new TextDecoder().decode(fixture('./fixtures/stream.sse'));
    const failed = `${text.slice(0, text.lastIndexOf('data: '))}data: {"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}\r\n\r\n`;
    expect(read(geminiAdapter, 'stream_generate_content', 'text/event-stream', new TextEncoder().encode(failed))).toMatchObject({
      usage: { input: 11 },
      usageComplete: false,
      streamError: 'INTERNAL',
    });
    expect(read(geminiAdapter, 'stream_generate_content', 'text/event-stream', fixture('./fixtures/stream.sse')).streamError).toBeUndefined();
  });

  it('reads the JSON-array stream sent without alt=sse', () => {
    expect(read(geminiAdapter, 'stream_generate_content', 'application/json; charset=UTF-8', fixture('./fixtures/stream-array.json'))).toEqual({
      model: 'gemini-2.0-flash',
      responseId: 'y0VkaLb9Huqn1dkPq8Te2Qs',
      usage: { input: 7, output: 19, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 21,
    });
  });

  it('reads embeddings usage when the answer has it, and estimates when not', () => {
    expect(read(geminiAdapter, 'embed_content', 'application/json', fixture('./fixtures/embed.json'))).toMatchObject({
      usage: { input: 12, output: 0 },
      usageComplete: true,
    });
    expect(read(geminiAdapter, 'embed_content', 'application/json', new TextEncoder().encode('{"embeddings":[{"values":[0.1,0.2]}]}'))).toMatchObject({
      usage: undefined,
      usageComplete: false,
      outputTokenEstimate: 0,
    });
  });

  it('reads the usage of an embeddings batch too large to parse from its tail', () => {
    const vector = `{"values":[${Array.from({ length: 3072 }, (_, i) => (i % 7) * 0.0013).join(',')}]}`;
    const body = `{"embeddings":[${Array.from({ length: 480 }, () => vector).join(',')}],"usageMetadata":{"promptTokenCount":5120,"promptTokenDetails":[{"modality":"TEXT","tokenCount":5120}]}}`;
    expect(body.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(read(geminiAdapter, 'embed_content', 'application/json', new TextEncoder().encode(body))).toMatchObject({
      usage: { input: 5120, output: 0 },
      usageComplete: true,
    });
  });

  it('reads request facts: path model, stream by method, maxOutputTokens, text of contents and system instruction', () => {
    const call = geminiAdapter.matchCall('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent')!;
    const body = {
      systemInstruction: { parts: [{ text: 'Answer in one line.' }] },
      contents: [{ role: 'user', parts: [{ text: 'What is a budget rule?' }] }],
      generationConfig: { maxOutputTokens: 256, thinkingConfig: { thinkingBudget: 128 } },
    };
    expect(geminiAdapter.readRequest(call, body, 200)).toEqual({
      operation: 'generate_content',
      api: 'stream_generate_content',
      model: 'gemini-2.5-flash',
      stream: true,
      maxOutputTokens: 256,
      inputTokenEstimate: 11,
    });
    const embed = geminiAdapter.matchCall('POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents')!;
    const requests = { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'budget gate ledger' }] } }] };
    expect(geminiAdapter.readRequest(embed, requests, 100)).toMatchObject({ operation: 'embeddings', maxOutputTokens: 0, inputTokenEstimate: 5 });
  });

  it("answers a blocked call in Google's error shape, the type as its status", () => {
    expect(geminiAdapter.errorBody('costctl_budget_exceeded', 'over')).toEqual({ error: { code: 402, message: 'over', status: 'costctl_budget_exceeded' } });
  });
});

describe('vertexAdapter', () => {
  it('names the provider and its hosts', () => {
    expect([vertexAdapter.name, vertexAdapter.pricingId]).toEqual(['gcp.vertex_ai', 'google']);
    expect(vertexAdapter.hosts).toContain('*-aiplatform.googleapis.com');
  });

  it("reads Vertex's stream, whose usage comes only in the finishing chunk", () => {
    expect(read(vertexAdapter, 'stream_generate_content', 'text/event-stream', fixture('./fixtures/vertex-stream.sse'))).toEqual({
      model: 'gemini-2.5-pro',
      responseId: 'dU3laOX3HcCkgLUPqL2TwAo',
      usage: { input: 9, output: 1053, cacheRead: 0, cacheWrite: 0, reasoning: 1024 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 31,
      serviceTier: 'ON_DEMAND',
    });
  });

  it("reads Claude's answers in Anthropic's own formats, the model from the path", () => {
    const json = read(vertexAdapter, 'messages', 'application/json', fixture('../anthropic/fixtures/message.json'), 'claude-opus-4-1@20250805');
    expect(json).toMatchObject({ usageComplete: true, usage: { input: 22030 } });
    const stream = read(vertexAdapter, 'messages_stream', 'text/event-stream; charset=utf-8', fixture('../anthropic/fixtures/message-stream.sse'));
    expect(stream).toMatchObject({ usageComplete: true, usage: { input: 25, output: 19 } });
    const call = vertexAdapter.matchCall('POST', '/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-haiku-4-5@20251001:streamRawPredict')!;
    const body = { anthropic_version: 'vertex-2023-10-16', max_tokens: 512, stream: true, messages: [{ role: 'user', content: 'Total spend?' }] };
    expect(vertexAdapter.readRequest(call, body, 120)).toEqual({
      operation: 'chat',
      api: 'messages_stream',
      model: 'claude-haiku-4-5@20251001',
      stream: true,
      maxOutputTokens: 512,
      inputTokenEstimate: 3,
    });
  });

  it('reads text embeddings on :predict: the token counts of every prediction, as input; the model from the path', () => {
    expect(read(vertexAdapter, 'predict_embeddings', 'application/json', fixture('./fixtures/predict-embeddings.json'), 'text-embedding-005')).toEqual({
      model: undefined,
      responseId: undefined,
      usage: { input: 4 + 7, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
      serviceTier: undefined,
    });
    const call = vertexAdapter.matchCall('POST', '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-embedding-001:predict')!;
    const body = { instances: [{ content: 'weekly spend', task_type: 'RETRIEVAL_DOCUMENT' }, { content: 'search budget per tenant' }] };
    expect(vertexAdapter.readRequest(call, body, 120)).toEqual({
      operation: 'embeddings',
      api: 'predict_embeddings',
      model: 'gemini-embedding-001',
      stream: false,
      maxOutputTokens: 0,
      inputTokenEstimate: Math.ceil((12 + 24) / 4),
    });
  });

  it("reads OpenAI's Chat Completions on the OpenAI-compatible endpoint: the model and stream flag from the body", () => {
    const call = vertexAdapter.matchCall('POST', '/v1/projects/p/locations/us-central1/endpoints/openapi/chat/completions')!;
    const body = { model: 'google/gemini-2.5-flash', stream: true, max_tokens: 64, messages: [{ role: 'user', content: 'Total spend?' }] };
    expect(vertexAdapter.readRequest(call, body, 120)).toMatchObject({
      operation: 'chat',
      api: 'chat_completions',
      model: 'google/gemini-2.5-flash',
      stream: true,
      maxOutputTokens: 64,
    });
    expect(read(vertexAdapter, 'chat_completions', 'application/json', fixture('../openai/fixtures/chat-completion.json'))).toMatchObject({
      usageComplete: true,
      usage: { input: 2006, output: 300, cacheRead: 1920, reasoning: 192 },
    });
    expect(read(vertexAdapter, 'chat_completions', 'text/event-stream', fixture('../openai/fixtures/chat-stream-usage.sse'))).toMatchObject({
      usageComplete: true,
    });
  });

  it('prices the publisher-qualified names of the OpenAI-compatible endpoint under the model alone', () => {
    expect(vertexPricingAlias('google/gemini-2.0-flash-001')).toBe('gemini-2.0-flash-001');
    expect(vertexPricingAlias('gemini-2.5-pro')).toBeUndefined();
    expect(vertexPricingAlias('meta/llama-3.3-70b-instruct-maas')).toBeUndefined();
  });
});
