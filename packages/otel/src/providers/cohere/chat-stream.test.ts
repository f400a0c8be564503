import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ResponseFacts } from '../types.js';
import { CohereChatStreamReader } from './chat-stream.js';

// The fixtures are the recorded streams of Cohere's own SDK wire tests (cohere-ai 8.1.0, tests/wire/v2.test.ts).
function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function readStream(text: string): ResponseFacts {
  const reader = new CohereChatStreamReader();
  reader.push(new TextEncoder().encode(text));
  return reader.finish();
}

describe('CohereChatStreamReader', () => {
  it('reads the id from message-start and the billed units from message-end', () => {
    expect(readStream(fixture('chat-stream.sse'))).toEqual({
      model: undefined,
      responseId: '29f14a5a-11de-4cae-9800-25e4747408ea',
      usage: { input: 5, output: 26, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      // 24 deltas, but 134 characters: ceil(134 / 4).
      outputTokenEstimate: 34,
      complete: true,
    });
  });

  it('reads a tool-call stream, estimating from the tool plan and arguments', () => {
    const facts = readStream(fixture('chat-stream-tools.sse'));
    expect(facts).toMatchObject({ usage: { input: 126, output: 84 }, usageComplete: true, complete: true });
    // 50 tool-plan deltas and 22 argument deltas, one token each at least.
    expect(facts.outputTokenEstimate).toBe(72);
  });

  it('reads a stream with citations', () => {
    expect(readStream(fixture('chat-stream-citations.sse'))).toMatchObject({ usage: { input: 18, output: 6 }, usageComplete: true });
  });

  it('estimates a stream cut before message-end, and keeps its id', () => {
    const text = fixture('chat-stream.sse');
    const cut = readStream(text.slice(0, text.indexOf('event: content-end')));
    expect(cut).toEqual({
      model: undefined,
      responseId: '29f14a5a-11de-4cae-9800-25e4747408ea',
      usage: undefined,
      usageComplete: false,
      providerCostUsd: undefined,
      outputTokenEstimate: 34,
    });
  });

  it('reads events named only by their data type (no event: lines)', () => {
    const text = fixture('chat-stream.sse').replace(/^event: .*\n/gm, '');
    expect(readStream(text)).toMatchObject({ usage: { input: 5, output: 26 }, responseId: '29f14a5a-11de-4cae-9800-25e4747408ea' });
  });

  it('falls back to tokens when message-end bills nothing, and ignores a malformed one', () => {
    const end = (usage: string) => `event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":${usage}}}\n\n`;
    expect(readStream(end('{"tokens":{"input_tokens":71,"output_tokens":26}}')).usage).toMatchObject({ input: 71, output: 26 });
    expect(readStream(end('null'))).toMatchObject({ usage: undefined, usageComplete: false, complete: true });
  });
});
