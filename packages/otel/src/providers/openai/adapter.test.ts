import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RequestFacts } from '../types.js';
import { openaiAdapter } from './adapter.js';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

function request(api: string, stream: boolean): RequestFacts {
  return { operation: 'chat', api, model: 'gpt-4o', stream, maxOutputTokens: undefined, inputTokenEstimate: 10 };
}

describe('openaiAdapter', () => {
  it('names the provider and its host', () => {
    expect(openaiAdapter.name).toBe('openai');
    expect(openaiAdapter.pricingId).toBe('openai');
    expect(openaiAdapter.hosts).toEqual(['api.openai.com']);
  });

  it('matches calls and reads requests', () => {
    const call = openaiAdapter.matchCall('POST', '/v1/chat/completions');
    expect(call).toEqual({ operation: 'chat', api: 'chat_completions' });
    expect(openaiAdapter.readRequest({ operation: 'chat', api: 'chat_completions' }, { model: 'gpt-4o', messages: [] }, 30).model).toBe('gpt-4o');
  });

  it.each([
    ['chat_completions', true, 'text/event-stream; charset=utf-8', 'chat-stream-usage.sse', 1284],
    ['chat_completions', true, undefined, 'chat-stream-usage.sse', 1284],
    ['responses', true, 'text/event-stream', 'responses-stream.sse', 2318],
    ['chat_completions', false, 'application/json', 'chat-completion.json', 2006],
    ['responses', false, 'application/json', 'responses.json', 5210],
    ['embeddings', false, 'application/json', 'embeddings.json', 17],
  ])('reads %s (stream %j, %s) from %s', (api, stream, contentType, file, input) => {
    const reader = openaiAdapter.createReader(request(api, stream), contentType);
    reader.push(fixture(file));
    expect(reader.finish().usage?.input).toBe(input);
  });

  it('reads a JSON error answered to a stream request as JSON', () => {
    const reader = openaiAdapter.createReader(request('chat_completions', true), 'application/json');
    reader.push(fixture('error.json'));
    expect(reader.finish()).toMatchObject({ usage: undefined, usageComplete: false, outputTokenEstimate: 0 });
  });

  it('never lets a reader throw', () => {
    const reader = openaiAdapter.createReader(request('chat_completions', true), 'text/event-stream');
    expect(() => reader.push(null as unknown as Uint8Array)).not.toThrow();
    expect(reader.finish().usage).toBeUndefined();
  });
});
