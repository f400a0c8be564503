import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RequestFacts, ResponseFacts } from '../types.js';
import { bedrockAdapter } from './adapter.js';

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

const EVENT_STREAM = 'application/vnd.amazon.eventstream';
const REQUEST_ID = '5f2c8a1e-7b3d-4e6f-9a0b-1c2d3e4f5a6b';

function request(api: string, model: string | undefined): RequestFacts {
  const stream = api.endsWith('stream');
  return { operation: 'chat', api, model, stream, maxOutputTokens: 64, inputTokenEstimate: 10 };
}

function read(api: string, model: string | undefined, contentType: string, body: Uint8Array, headers: Record<string, string> = {}): ResponseFacts {
  const all: Record<string, string> = { 'x-amzn-requestid': REQUEST_ID, ...headers };
  const reader = bedrockAdapter.createReader(request(api, model), contentType, (name) => all[name]);
  reader.push(body);
  return reader.finish();
}

describe('bedrockAdapter', () => {
  it('names the provider, its regional hosts and its price data', () => {
    expect(bedrockAdapter.name).toBe('aws.bedrock');
    expect(bedrockAdapter.pricingId).toBe('aws');
    expect(bedrockAdapter.hosts).toEqual(['bedrock-runtime.*.amazonaws.com', 'bedrock-runtime-fips.*.amazonaws.com']);
  });

  it('reads ConverseStream usage from the metadata event, the model from the path', () => {
    expect(read('converse_stream', 'us.amazon.nova-pro-v1:0', EVENT_STREAM, fixture('converse-stream.bin'))).toEqual({
      model: 'us.amazon.nova-pro-v1:0',
      responseId: REQUEST_ID,
      usage: { input: 2071, output: 9, cacheRead: 2048, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 13,
    });
  });

  it('estimates a ConverseStream that ended in an exception event, and says the stream failed', () => {
    expect(read('converse_stream', 'amazon.nova-lite-v1:0', EVENT_STREAM, fixture('converse-stream-exception.bin'))).toMatchObject({
      usage: undefined,
      usageComplete: false,
      outputTokenEstimate: 7,
      streamError: expect.stringMatching(/Exception$/),
    });
    expect(read('converse_stream', 'amazon.nova-lite-v1:0', EVENT_STREAM, fixture('converse-stream.bin')).streamError).toBeUndefined();
  });

  it('estimates a ConverseStream cut inside a message', () => {
    const bytes = fixture('converse-stream.bin');
    expect(read('converse_stream', 'amazon.nova-lite-v1:0', EVENT_STREAM, bytes.subarray(0, bytes.length - 40))).toMatchObject({
      usage: undefined,
      usageComplete: false,
      outputTokenEstimate: 13,
    });
  });

  it('reads an Anthropic response stream from its invocation metrics, keeping the inference profile of the path', () => {
    expect(read('invoke_stream', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', EVENT_STREAM, fixture('invoke-stream-anthropic.bin'))).toEqual({
      model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      responseId: 'msg_bdrk_01QnWc6H9Yv2PqR7dXkZ3mTa',
      usage: { input: 14, output: 6, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 6,
    });
  });

  it("gives an Anthropic response stream cut before its last chunk the partial usage of Anthropic's events", () => {
    const bytes = fixture('invoke-stream-anthropic.bin');
    const facts = read('invoke_stream', undefined, EVENT_STREAM, bytes.subarray(0, 1200));
    expect(facts).toMatchObject({ model: 'claude-3-5-haiku-20241022', usageComplete: false, usage: { input: 14, cacheRead: 0 } });
    expect(facts.usage!.output).toBeGreaterThanOrEqual(1);
  });

  it('reads any model family of a response stream from its invocation metrics (Nova)', () => {
    expect(read('invoke_stream', 'amazon.nova-micro-v1:0', EVENT_STREAM, fixture('invoke-stream-nova.bin'))).toEqual({
      model: 'amazon.nova-micro-v1:0',
      responseId: REQUEST_ID,
      usage: { input: 11, output: 7, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 8,
    });
  });

  it('reads Converse JSON usage, cache writes added to input', () => {
    expect(read('converse', 'amazon.nova-lite-v1:0', 'application/json', fixture('converse.json'))).toMatchObject({
      model: 'amazon.nova-lite-v1:0',
      responseId: REQUEST_ID,
      usage: { input: 1055, output: 18, cacheRead: 0, cacheWrite: 1024, reasoning: 0 },
      usageComplete: true,
    });
  });

  it('prefers InvokeModel token headers over the body, whatever the model family', () => {
    const headers = { 'x-amzn-bedrock-input-token-count': '6', 'x-amzn-bedrock-output-token-count': '0' };
    expect(read('invoke', 'amazon.titan-embed-text-v2:0', 'application/json', fixture('invoke-titan-embed.json'), headers)).toMatchObject({
      model: 'amazon.titan-embed-text-v2:0',
      usage: { input: 6, output: 0 },
      usageComplete: true,
    });
  });

  it("falls back to an Anthropic body's usage when InvokeModel's headers are missing", () => {
    expect(read('invoke', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'application/json', fixture('invoke-anthropic.json'))).toMatchObject({
      model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      responseId: 'msg_bdrk_01Xv8GdKkT5m7Qw3Zr9YcN2s',
      usage: { input: 17, output: 10 },
      usageComplete: true,
    });
  });

  it('reads a JSON error answered to a stream request as JSON, finding nothing billable', () => {
    expect(read('converse_stream', 'amazon.nova-lite-v1:0', 'application/json', new TextEncoder().encode('{"message":"Too many requests"}'))).toMatchObject({
      usage: undefined,
      usageComplete: false,
    });
  });

  it('reads request facts: path model, operation stream flag, the output cap of each body shape', () => {
    const converse = bedrockAdapter.matchCall('POST', '/model/amazon.nova-lite-v1%3A0/converse-stream')!;
    expect(
      bedrockAdapter.readRequest(
        converse,
        { messages: [{ role: 'user', content: [{ text: 'How much is left?' }] }], inferenceConfig: { maxTokens: 300 } },
        120,
      ),
    ).toEqual({ operation: 'chat', api: 'converse_stream', model: 'amazon.nova-lite-v1:0', stream: true, maxOutputTokens: 300, inputTokenEstimate: 5 });
    const invoke = bedrockAdapter.matchCall('POST', '/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke')!;
    const anthropicBody = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, system: 'Be terse.', messages: [{ role: 'user', content: 'Spend?' }] };
    expect(bedrockAdapter.readRequest(invoke, anthropicBody, 150)).toMatchObject({
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      stream: false,
      maxOutputTokens: 200,
      inputTokenEstimate: 4,
    });
    expect(bedrockAdapter.readRequest(invoke, { prompt: 'x'.repeat(40), max_gen_len: 512 }, 60)).toMatchObject({
      maxOutputTokens: 512,
      inputTokenEstimate: 10,
    });
    expect(bedrockAdapter.readRequest(invoke, { inputText: 'hello', textGenerationConfig: { maxTokenCount: 99 } }, 60)).toMatchObject({ maxOutputTokens: 99 });
    expect(bedrockAdapter.readRequest(invoke, undefined, 400)).toMatchObject({ model: 'anthropic.claude-3-haiku-20240307-v1:0', inputTokenEstimate: 100 });
  });

  it('answers a blocked call the way the AWS SDKs read errors: the type in x-amzn-errortype, the message in the body', () => {
    expect(bedrockAdapter.errorHeaders?.('costctl_gate_tripped')).toEqual({ 'x-amzn-errortype': 'costctl_gate_tripped' });
    expect(bedrockAdapter.errorBody('costctl_gate_tripped', 'stopped')).toEqual({ message: 'stopped' });
  });

  it("reads OpenAI's Chat Completions on the OpenAI-compatible endpoint: the model and stream flag from the body", () => {
    const call = bedrockAdapter.matchCall('POST', '/openai/v1/chat/completions')!;
    const body = { model: 'openai.gpt-oss-20b-1:0', stream: true, max_tokens: 32, messages: [{ role: 'user', content: 'Spend today?' }] };
    expect(bedrockAdapter.readRequest(call, body, 120)).toMatchObject({
      operation: 'chat',
      api: 'chat_completions',
      model: 'openai.gpt-oss-20b-1:0',
      stream: true,
      maxOutputTokens: 32,
    });
    const json = readFileSync(new URL('../openai/fixtures/chat-completion.json', import.meta.url));
    expect(read('chat_completions', 'openai.gpt-oss-20b-1:0', 'application/json', new Uint8Array(json))).toMatchObject({
      usageComplete: true,
      usage: { input: 2006, output: 300 },
    });
    const stream = readFileSync(new URL('../openai/fixtures/chat-stream-usage.sse', import.meta.url));
    expect(read('chat_completions', 'openai.gpt-oss-20b-1:0', 'text/event-stream', new Uint8Array(stream))).toMatchObject({ usageComplete: true });
  });
});
