import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from './anthropic/adapter.js';
import { bedrockAdapter } from './bedrock/adapter.js';
import { azureAdapter } from './azure/adapter.js';
import { cohereAdapter } from './cohere/adapter.js';
import { deepseekAdapter } from './deepseek/adapter.js';
import { fireworksAdapter } from './fireworks/adapter.js';
import { geminiAdapter, vertexAdapter } from './google/adapter.js';
import { groqAdapter } from './groq/adapter.js';
import { mistralAdapter } from './mistral/adapter.js';
import { openaiAdapter } from './openai/adapter.js';
import { openrouterAdapter } from './openrouter/adapter.js';
import { togetherAdapter } from './together/adapter.js';
import { meterAdapter } from './meters/meter-adapter.js';
import type { ProviderAdapter, RequestFacts, ResponseFacts } from './types.js';
import { xaiAdapter } from './xai/adapter.js';

// Every recorded body, read through the adapter as the transport would.
interface Case {
  file: string;
  adapter: ProviderAdapter;
  api: string;
  contentType: string;
  /** Cuts the body before this text: a stream the network or the client ended early. */
  cutBefore?: string;
  /** A binary body (Bedrock's event stream): line ends do not apply, and `cutAt` keeps only its first bytes. */
  binary?: boolean;
  cutAt?: number;
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
  // Recorded streams billed beyond their top-level counts (steps, tool calls, tiers), the small ones: every byte is a split.
  { file: 'anthropic/fixtures/compaction-stream.sse', adapter: anthropicAdapter, api: 'messages', contentType: 'text/event-stream' },
  { file: 'anthropic/fixtures/advisor-stream.sse', adapter: anthropicAdapter, api: 'messages', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/responses-file-search-stream.sse', adapter: openaiAdapter, api: 'responses', contentType: 'text/event-stream' },
  { file: 'google/fixtures/grounding-stream.sse', adapter: geminiAdapter, api: 'stream_generate_content', contentType: 'text/event-stream' },
  { file: 'google/fixtures/vertex-flex-stream.sse', adapter: vertexAdapter, api: 'stream_generate_content', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/chat-completion.json', adapter: openaiAdapter, api: 'chat_completions', contentType: 'application/json' },
  { file: 'openai/fixtures/responses.json', adapter: openaiAdapter, api: 'responses', contentType: 'application/json' },
  { file: 'anthropic/fixtures/message.json', adapter: anthropicAdapter, api: 'messages', contentType: 'application/json' },
  // OpenAI-compatible providers, each in its own dialect.
  { file: 'azure/fixtures/chat-stream.sse', adapter: azureAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  {
    file: 'azure/fixtures/chat-stream.sse',
    adapter: azureAdapter,
    api: 'chat_completions',
    contentType: 'text/event-stream',
    cutBefore: '{"choices":[],"created":1782400012',
  },
  { file: 'azure/fixtures/chat-completion.json', adapter: azureAdapter, api: 'chat_completions', contentType: 'application/json' },
  { file: 'mistral/fixtures/chat-stream.sse', adapter: mistralAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'groq/fixtures/chat-stream.sse', adapter: groqAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'groq/fixtures/chat-stream-include-usage.sse', adapter: groqAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'deepseek/fixtures/chat-stream.sse', adapter: deepseekAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'xai/fixtures/chat-stream.sse', adapter: xaiAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  {
    file: 'xai/fixtures/chat-stream.sse',
    adapter: xaiAdapter,
    api: 'chat_completions',
    contentType: 'text/event-stream',
    cutBefore:
      'data: {"id":"6e2fc65c-7dd3-4ac7-97f6-acb9b2116086","object":"chat.completion.chunk","created":1782404001,"model":"grok-4-fast-reasoning","choices":[],',
  },
  { file: 'xai/fixtures/chat-completion.json', adapter: xaiAdapter, api: 'chat_completions', contentType: 'application/json' },
  { file: 'openrouter/fixtures/chat-stream.sse', adapter: openrouterAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'openrouter/fixtures/chat-completion.json', adapter: openrouterAdapter, api: 'chat_completions', contentType: 'application/json' },
  { file: 'together/fixtures/chat-stream.sse', adapter: togetherAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { file: 'fireworks/fixtures/chat-stream.sse', adapter: fireworksAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  // Cohere v2, OpenAI's image, audio and batch answers, and a metered API's JSON answer.
  { file: 'cohere/fixtures/chat-stream.sse', adapter: cohereAdapter, api: 'chat', contentType: 'text/event-stream' },
  { file: 'cohere/fixtures/chat-stream.sse', adapter: cohereAdapter, api: 'chat', contentType: 'text/event-stream', cutBefore: 'event: message-end' },
  { file: 'cohere/fixtures/chat-stream-tools.sse', adapter: cohereAdapter, api: 'chat', contentType: 'text/event-stream' },
  { file: 'cohere/fixtures/chat-stream-citations.sse', adapter: cohereAdapter, api: 'chat', contentType: 'text/event-stream' },
  { file: 'cohere/fixtures/chat.json', adapter: cohereAdapter, api: 'chat', contentType: 'application/json' },
  { file: 'cohere/fixtures/embed.json', adapter: cohereAdapter, api: 'embed', contentType: 'application/json' },
  { file: 'cohere/fixtures/chat-v1.json', adapter: cohereAdapter, api: 'chat_v1', contentType: 'application/json' },
  { file: 'cohere/fixtures/chat-v1-stream.jsonl', adapter: cohereAdapter, api: 'chat_v1', contentType: 'application/stream+json' },
  {
    file: 'cohere/fixtures/chat-v1-stream.jsonl',
    adapter: cohereAdapter,
    api: 'chat_v1',
    contentType: 'application/stream+json',
    cutBefore: '{"is_finished":true',
  },
  { file: 'cohere/fixtures/embed-v1.json', adapter: cohereAdapter, api: 'embed', contentType: 'application/json' },
  { file: 'cohere/fixtures/rerank.json', adapter: cohereAdapter, api: 'rerank', contentType: 'application/json' },
  { file: 'openai/fixtures/images-generation.json', adapter: openaiAdapter, api: 'images', contentType: 'application/json' },
  { file: 'openai/fixtures/images-stream.sse', adapter: openaiAdapter, api: 'images', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/transcription.json', adapter: openaiAdapter, api: 'transcriptions', contentType: 'application/json' },
  { file: 'openai/fixtures/transcription-verbose.json', adapter: openaiAdapter, api: 'transcriptions', contentType: 'application/json' },
  { file: 'openai/fixtures/transcription-stream.sse', adapter: openaiAdapter, api: 'transcriptions', contentType: 'text/event-stream' },
  { file: 'openai/fixtures/speech-stream.sse', adapter: openaiAdapter, api: 'speech', contentType: 'text/event-stream' },
  {
    file: 'openai/fixtures/images-generation.json',
    adapter: meterAdapter({ name: 'm', host: 'm.example', price: { perUnit: 1, unit: { json: 'usage.output_tokens' } } }),
    api: 'meter',
    contentType: 'application/json',
  },
  // Gemini (SSE and the JSON-array stream), Vertex AI, and Bedrock's JSON and binary event streams.
  { file: 'google/fixtures/stream.sse', adapter: geminiAdapter, api: 'stream_generate_content', contentType: 'text/event-stream' },
  {
    file: 'google/fixtures/stream.sse',
    adapter: geminiAdapter,
    api: 'stream_generate_content',
    contentType: 'text/event-stream',
    cutBefore: 'data: {"candidates": [{"content": {"parts": [{"text": " process',
  },
  { file: 'google/fixtures/stream-array.json', adapter: geminiAdapter, api: 'stream_generate_content', contentType: 'application/json' },
  {
    file: 'google/fixtures/stream-array.json',
    adapter: geminiAdapter,
    api: 'stream_generate_content',
    contentType: 'application/json',
    cutBefore: '"finishReason"',
  },
  { file: 'google/fixtures/generate-content.json', adapter: geminiAdapter, api: 'generate_content', contentType: 'application/json' },
  { file: 'google/fixtures/embed.json', adapter: geminiAdapter, api: 'embed_content', contentType: 'application/json' },
  { file: 'google/fixtures/vertex-stream.sse', adapter: vertexAdapter, api: 'stream_generate_content', contentType: 'text/event-stream' },
  { file: 'google/fixtures/predict-embeddings.json', adapter: vertexAdapter, api: 'predict_embeddings', contentType: 'application/json' },
  { file: 'google/fixtures/predict-images.json', adapter: vertexAdapter, api: 'predict_images', contentType: 'application/json' },
  { file: 'bedrock/fixtures/converse.json', adapter: bedrockAdapter, api: 'converse', contentType: 'application/json' },
  { file: 'bedrock/fixtures/invoke-anthropic.json', adapter: bedrockAdapter, api: 'invoke', contentType: 'application/json' },
  {
    file: 'bedrock/fixtures/converse-stream.bin',
    adapter: bedrockAdapter,
    api: 'converse_stream',
    contentType: 'application/vnd.amazon.eventstream',
    binary: true,
  },
  {
    file: 'bedrock/fixtures/converse-stream.bin',
    adapter: bedrockAdapter,
    api: 'converse_stream',
    contentType: 'application/vnd.amazon.eventstream',
    binary: true,
    cutAt: 1500,
  },
  {
    file: 'bedrock/fixtures/converse-stream-exception.bin',
    adapter: bedrockAdapter,
    api: 'converse_stream',
    contentType: 'application/vnd.amazon.eventstream',
    binary: true,
  },
  {
    file: 'bedrock/fixtures/invoke-stream-anthropic.bin',
    adapter: bedrockAdapter,
    api: 'invoke_stream',
    contentType: 'application/vnd.amazon.eventstream',
    binary: true,
  },
  {
    file: 'bedrock/fixtures/invoke-stream-anthropic.bin',
    adapter: bedrockAdapter,
    api: 'invoke_stream',
    contentType: 'application/vnd.amazon.eventstream',
    binary: true,
    cutAt: 1200,
  },
  {
    file: 'bedrock/fixtures/invoke-stream-nova.bin',
    adapter: bedrockAdapter,
    api: 'invoke_stream',
    contentType: 'application/vnd.amazon.eventstream',
    binary: true,
  },
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
  if (c.binary) return new Uint8Array(readFileSync(new URL(`./${c.file}`, import.meta.url))).subarray(0, c.cutAt);
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
    expect(
      read(
        c,
        Array.from(bytes, (byte) => new Uint8Array([byte])),
      ),
    ).toEqual(whole);
  });
});
