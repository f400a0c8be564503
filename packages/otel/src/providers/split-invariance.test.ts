import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from './anthropic/adapter.js';
import { openaiAdapter } from './openai/adapter.js';
import type { ProviderAdapter, RequestFacts, ResponseFacts } from './types.js';

// Every recorded body, read through the adapter as the transport would.
interface Case {
  file: string;
  adapter: ProviderAdapter;
  api: string;
  contentType: string;
  /** Cuts the body before this text: a stream the network or the client ended early. */
  cutBefore?: string;
}

const CASES: readonly Case[] = [
  { file: 'openai/fixtures/chat-stream-usage.sse', adapter: openaiAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/chat-stream-no-usage.sse', adapter: openaiAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/chat-stream-tool-call.sse', adapter: openaiAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/responses-stream.sse', adapter: openaiAdapter, api: 'responses', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/responses-stream-incomplete.sse', adapter: openaiAdapter, api: 'responses', contentType: 'text/event-stream' },
  { file: 'anthropic/fixtures/message-stream.sse', adapter: anthropicAdapter, api: 'messages', contentType: 'text/event-stream' },
  { file: 'anthropic/fixtures/message-stream-tools.sse', adapter: anthropicAdapter, api: 'messages', contentType: 'text/event-stream' },
  { file: 'anthropic/fixtures/message-stream-error.sse', adapter: anthropicAdapter, api: 'messages', contentType: 'text/event-stream' },
  {
    file: 'openai/fixtures/chat-stream-usage.sse',
    adapter: openaiAdapter,
    api: 'chat_completions',
    contentType: 'text/event-stream',
    cutBefore: '"choices":[],',
  },
  {
    file: 'anthropic/fixtures/message-stream.sse',
    adapter: anthropicAdapter,
    api: 'messages',
    contentType: 'text/event-stream',
    cutBefore: 'event: content_block_stop',
  },
  { file: 'openai/fixtures/chat-completion.json', adapter: openaiAdapter, api: 'chat_completions', contentType: 'application/json' },
  { file: 'openai/fixtures/responses.json', adapter: openaiAdapter, api: 'responses', contentType: 'application/json' },
  { file: 'anthropic/fixtures/message.json', adapter: anthropicAdapter, api: 'messages', contentType: 'application/json' },
];

const LINE_ENDS = [
  ['LF', '\n'],
  ['CRLF', '\r\n'],
  ['CR', '\r'],
] as const;

function read(c: Case, pieces: readonly Uint8Array[]): ResponseFacts {
  const request: RequestFacts = {
    operation: 'chat',
    api: c.api,
    model: undefined,
    stream: c.contentType === 'text/event-stream',
    maxOutputTokens: undefined,
    inputTokenEstimate: 0,
  };
  const reader = c.adapter.createReader(request, c.contentType);
  for (const piece of pieces) reader.push(piece);
  return reader.finish();
}

function variant(c: Case, eol: string): Uint8Array {
  const whole = readFileSync(new URL(`./${c.file}`, import.meta.url), 'utf8');
  const cut = c.cutBefore === undefined ? whole.length : whole.indexOf(c.cutBefore);
  if (cut === -1) throw new Error(`${c.file} does not contain ${c.cutBefore}`);
  const text = whole.slice(0, cut);
  return new TextEncoder().encode(text.replace(/\n/g, eol));
}

/** A small deterministic PRNG (mulberry32), so a failing split can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function splitAt(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const point of sorted) {
    pieces.push(bytes.slice(from, point));
    from = point;
  }
  pieces.push(bytes.slice(from));
  return pieces;
}

describe.each(CASES)('$file cut before $cutBefore', (c) => {
  const whole = read(c, [variant(c, '\n')]);

  it('yields usage or an estimate when read whole', () => {
    expect(whole.usage !== undefined || whole.outputTokenEstimate > 0).toBe(true);
  });

  it.each(LINE_ENDS)('gives the same facts with %s line ends', (_name, eol) => {
    expect(read(c, [variant(c, eol)])).toEqual(whole);
  });

  it.each(LINE_ENDS)('gives the same facts split in two at every byte (%s)', (_name, eol) => {
    const bytes = variant(c, eol);
    for (let at = 0; at <= bytes.length; at += 1) {
      const facts = read(c, [bytes.subarray(0, at), bytes.subarray(at)]);
      if (JSON.stringify(facts) !== JSON.stringify(whole)) expect({ at, facts }).toEqual({ at, facts: whole });
    }
  });

  it.each(LINE_ENDS)('gives the same facts split at random points (%s)', (_name, eol) => {
    const bytes = variant(c, eol);
    const next = random(bytes.length);
    for (let run = 0; run < 200; run += 1) {
      const count = 1 + Math.floor(next() * 64);
      const points = Array.from({ length: count }, () => Math.floor(next() * bytes.length));
      const facts = read(c, splitAt(bytes, points));
      if (JSON.stringify(facts) !== JSON.stringify(whole)) expect({ points, facts }).toEqual({ points, facts: whole });
    }
  });

  it('gives the same facts fed one byte at a time', () => {
    const bytes = variant(c, '\r\n');
    expect(read(c, Array.from(bytes, (byte) => new Uint8Array([byte])))).toEqual(whole);
  });
});
