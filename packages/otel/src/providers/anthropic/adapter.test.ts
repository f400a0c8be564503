import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RequestFacts } from '../types.js';
import { anthropicAdapter } from './adapter.js';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

function request(stream: boolean): RequestFacts {
  return { operation: 'chat', api: 'messages', model: 'claude-sonnet-4-5', stream, maxOutputTokens: 1024, inputTokenEstimate: 10 };
}

describe('anthropicAdapter', () => {
  it('names the provider and its host', () => {
    expect(anthropicAdapter.name).toBe('anthropic');
    expect(anthropicAdapter.pricingId).toBe('anthropic');
    expect(anthropicAdapter.hosts).toEqual(['api.anthropic.com']);
    expect(anthropicAdapter.matchCall('POST', '/v1/messages')).toEqual({ operation: 'chat', api: 'messages' });
  });

  it.each([
    [true, 'text/event-stream; charset=utf-8', 'message-stream.sse', 25],
    [true, undefined, 'message-stream.sse', 25],
    [false, 'application/json', 'message.json', 22030],
    [false, undefined, 'message.json', 22030],
  ])('reads (stream %j, %s) %s', (stream, contentType, file, input) => {
    const reader = anthropicAdapter.createReader(request(stream), contentType);
    reader.push(fixture(file));
    expect(reader.finish().usage?.input).toBe(input);
  });

  it('reads a JSON error answered to a stream request as JSON', () => {
    const reader = anthropicAdapter.createReader(request(true), 'application/json');
    reader.push(fixture('error.json'));
    expect(reader.finish()).toMatchObject({ usage: undefined, usageComplete: false });
  });
});
