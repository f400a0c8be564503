import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ResponseFacts } from '../types.js';
import { MessagesStreamReader } from './stream.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function readStream(text: string): ResponseFacts {
  const reader = new MessagesStreamReader();
  reader.push(new TextEncoder().encode(text));
  return reader.finish();
}

describe('MessagesStreamReader', () => {
  it('reads usage from message_start and message_delta', () => {
    expect(readStream(fixture('message-stream.sse'))).toEqual({
      model: 'claude-haiku-4-5-20251001',
      responseId: 'msg_01HCDu5LRGeP2o7s2xGmxyx8',
      usage: { input: 25, output: 19, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      serviceTier: 'standard',
      outputTokenEstimate: 12,
    });
  });

  it('lets message_delta usage replace the message_start values, never add to them', () => {
    expect(readStream(fixture('message-stream-tools.sse'))).toEqual({
      model: 'claude-opus-4-1-20250805',
      responseId: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      usage: { input: 2712 + 4096, output: 89, cacheRead: 4096, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      serviceTier: 'standard',
      outputTokenEstimate: 30,
    });
  });

  it('replaces again on a second message_delta', () => {
    const text = `${fixture('message-stream.sse')}event: message_delta\ndata: {"type":"message_delta","delta":{},"usage":{"output_tokens":23}}\n\n`;
    expect(readStream(text).usage).toEqual({ input: 25, output: 23, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('gives partial usage for a stream cut after message_start: input known, output estimated', () => {
    const text = fixture('message-stream.sse');
    const cut = text.slice(0, text.indexOf('event: content_block_delta', text.indexOf('event: content_block_delta') + 1));
    expect(readStream(cut)).toEqual({
      model: 'claude-haiku-4-5-20251001',
      responseId: 'msg_01HCDu5LRGeP2o7s2xGmxyx8',
      usage: { input: 25, output: 4, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: false,
      providerCostUsd: undefined,
      serviceTier: 'standard',
      outputTokenEstimate: 4,
    });
  });

  it('keeps the reported output when it is larger than the estimate of a cut stream', () => {
    const text = fixture('message-stream-tools.sse');
    const cut = text.slice(0, text.indexOf('event: content_block_start'));
    expect(readStream(cut)).toMatchObject({ usage: { input: 2679 + 4096, output: 3, cacheRead: 4096 }, usageComplete: false, outputTokenEstimate: 0 });
  });

  it('gives partial usage when the stream ends in an error event, and says the stream failed', () => {
    expect(readStream(fixture('message-stream-error.sse'))).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      responseId: 'msg_01Bh9AcXWnDz3RfV5e7Lq2Kt',
      usage: { input: 812, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: false,
      providerCostUsd: undefined,
      serviceTier: 'standard',
      outputTokenEstimate: 0,
      streamError: 'overloaded_error',
    });
    expect(readStream(fixture('message-stream.sse')).streamError).toBeUndefined();
  });

  it('gives no usage for a stream cut before message_start', () => {
    expect(readStream('event: message_start\ndata: {"type":"message_start","mess')).toMatchObject({
      usage: undefined,
      usageComplete: false,
      outputTokenEstimate: 0,
    });
  });

  it('reads events without `event:` lines by their data type', () => {
    const text = fixture('message-stream-tools.sse').replace(/^event: .*\n/gm, '');
    expect(readStream(text)).toEqual(readStream(fixture('message-stream-tools.sse')));
  });

  it('does not complete on a message_delta whose output count is malformed', () => {
    const text = fixture('message-stream.sse').replace('"usage":{"output_tokens":19}', '"usage":{"output_tokens":"19"}');
    expect(readStream(text)).toMatchObject({ usage: { input: 25, output: 12 }, usageComplete: false });
  });
});
