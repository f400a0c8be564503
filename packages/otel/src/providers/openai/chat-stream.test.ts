import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ResponseFacts } from '../types.js';
import { ChatStreamReader } from './chat-stream.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function readStream(text: string): ResponseFacts {
  const reader = new ChatStreamReader();
  reader.push(new TextEncoder().encode(text));
  return reader.finish();
}

const usageChunkStart =
  'data: {"id":"chatcmpl-C3xq8Yd1gKq3ZfJ0mPp2sR7tU9vWx","object":"chat.completion.chunk","created":1754896530,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[],';

describe('ChatStreamReader', () => {
  it('reads usage from the include_usage chunk', () => {
    expect(readStream(fixture('chat-stream-usage.sse'))).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-C3xq8Yd1gKq3ZfJ0mPp2sR7tU9vWx',
      usage: { input: 1284, output: 9, cacheRead: 1152, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 6,
      complete: true,
      serviceTier: 'default',
    });
  });

  it('reports an error chunk after the 200 as the stream failing, with an estimate of what came before', () => {
    const [head] = fixture('chat-stream-no-usage.sse').split('data: [DONE]');
    const facts = readStream(
      `${head}data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n`,
    );
    expect(facts.streamError).toBe('server_error');
    expect(facts.usage).toBeUndefined();
    expect(facts.outputTokenEstimate).toBeGreaterThan(0);
    expect(readStream(fixture('chat-stream-usage.sse')).streamError).toBeUndefined();
  });

  it('is exact when the client aborts right after [DONE] or even before it', () => {
    const text = fixture('chat-stream-usage.sse');
    const beforeDone = text.slice(0, text.indexOf('data: [DONE]'));
    expect(readStream(beforeDone)).toEqual({ ...readStream(text), complete: undefined });
    expect(readStream(beforeDone).complete).toBeUndefined();
  });

  it('estimates output when the stream carries no usage', () => {
    expect(readStream(fixture('chat-stream-no-usage.sse'))).toEqual({
      model: 'gpt-4.1-2025-04-14',
      responseId: 'chatcmpl-C3xrB0aJm5Qe8Wv2Kz7Nd4Tc1Hs9Y',
      usage: undefined,
      usageComplete: false,
      providerCostUsd: undefined,
      outputTokenEstimate: 12,
      complete: true,
      serviceTier: 'default',
    });
  });

  it('estimates output when the stream was cut before its usage', () => {
    const text = fixture('chat-stream-usage.sse');
    const cut = text.slice(0, text.indexOf(usageChunkStart));
    expect(cut.length).toBeGreaterThan(0);
    expect(readStream(cut)).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-C3xq8Yd1gKq3ZfJ0mPp2sR7tU9vWx',
      usage: undefined,
      usageComplete: false,
      providerCostUsd: undefined,
      outputTokenEstimate: 6,
      serviceTier: 'default',
    });
  });

  it('gives no usage when the usage chunk itself was cut', () => {
    const text = fixture('chat-stream-usage.sse');
    const cut = text.slice(0, text.indexOf(usageChunkStart) + usageChunkStart.length + 30);
    expect(readStream(cut)).toMatchObject({ usage: undefined, usageComplete: false, outputTokenEstimate: 6 });
  });

  it('counts tool-call argument deltas in the estimate', () => {
    expect(readStream(fixture('chat-stream-tool-call.sse'))).toEqual({
      model: 'gpt-4o-2024-08-06',
      responseId: 'chatcmpl-C3y0Wc6Nf3Lp1Rt8Xa2Vm9Qe4Kd7B',
      usage: { input: 82, output: 16, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 7,
      complete: true,
      serviceTier: 'default',
    });
  });

  it('parses only the first chunk and the usage chunk', () => {
    const parse = JSON.parse;
    let calls = 0;
    JSON.parse = (...args: Parameters<typeof JSON.parse>) => {
      calls += 1;
      return parse(...args);
    };
    try {
      readStream(fixture('chat-stream-usage.sse'));
    } finally {
      JSON.parse = parse;
    }
    expect(calls).toBe(2);
  });

  it('reads a legacy completions stream', () => {
    const text = [
      'data: {"id":"cmpl-9zQ3f","object":"text_completion","created":1724000000,"choices":[{"text":" This","index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct","usage":null}',
      'data: {"id":"cmpl-9zQ3f","object":"text_completion","created":1724000000,"choices":[{"text":" is","index":0,"logprobs":null,"finish_reason":"length"}],"model":"gpt-3.5-turbo-instruct","usage":null}',
      'data: {"id":"cmpl-9zQ3f","object":"text_completion","created":1724000000,"choices":[],"model":"gpt-3.5-turbo-instruct","usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}',
      'data: [DONE]',
      '',
      '',
    ].join('\n\n');
    expect(readStream(text)).toMatchObject({
      model: 'gpt-3.5-turbo-instruct',
      responseId: 'cmpl-9zQ3f',
      usage: { input: 5, output: 2 },
      usageComplete: true,
      outputTokenEstimate: 2,
    });
  });

  it('ignores an error event in the stream', () => {
    const text = 'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n';
    expect(readStream(text)).toMatchObject({ model: undefined, usage: undefined, usageComplete: false, outputTokenEstimate: 0 });
  });

  it('treats a malformed usage object as no usage', () => {
    const text = 'data: {"id":"c1","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":"12","completion_tokens":3}}\n\n';
    expect(readStream(text)).toMatchObject({ model: 'gpt-4o', responseId: 'c1', usage: undefined, usageComplete: false });
  });
});
