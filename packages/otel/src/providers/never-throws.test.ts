import { readFileSync } from 'node:fs';
import { EventStreamCodec } from '@smithy/core/event-streams';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from './anthropic/adapter.js';
import { bedrockAdapter } from './bedrock/adapter.js';
import { EventStreamDecoder } from './bedrock/event-stream.js';
import { azureAdapter } from './azure/adapter.js';
import { cohereAdapter } from './cohere/adapter.js';
import { deepseekAdapter } from './deepseek/adapter.js';
import { fireworksAdapter } from './fireworks/adapter.js';
import { geminiAdapter, vertexAdapter } from './google/adapter.js';
import { groqAdapter } from './groq/adapter.js';
import { meterAdapter } from './meters/meter-adapter.js';
import { mistralAdapter } from './mistral/adapter.js';
import { openaiAdapter } from './openai/adapter.js';
import { openrouterAdapter } from './openrouter/adapter.js';
import { togetherAdapter } from './together/adapter.js';
import { SseDecoder } from './sse.js';
import type { ProviderAdapter, RequestFacts, ResponseFacts } from './types.js';
import { xaiAdapter } from './xai/adapter.js';

interface ReaderKind {
  adapter: ProviderAdapter;
  api: string;
  contentType: string;
}

// Bedrock's binary event streams, also fed valid frames with hostile payloads below.
const EVENT_STREAM_KINDS: readonly ReaderKind[] = (['converse_stream', 'invoke_stream'] as const).map((api) => ({
  adapter: bedrockAdapter,
  api,
  contentType: 'application/vnd.amazon.eventstream',
}));

const KINDS: readonly ReaderKind[] = [
  { adapter: openaiAdapter, api: 'chat_completions', contentType: 'text/event-stream' },
  { adapter: openaiAdapter, api: 'responses', contentType: 'text/event-stream' },
  { adapter: openaiAdapter, api: 'chat_completions', contentType: 'application/json' },
  { adapter: openaiAdapter, api: 'responses', contentType: 'application/json' },
  { adapter: openaiAdapter, api: 'embeddings', contentType: 'application/json' },
  { adapter: anthropicAdapter, api: 'messages', contentType: 'text/event-stream' },
  { adapter: anthropicAdapter, api: 'messages', contentType: 'application/json' },
  ...[azureAdapter, mistralAdapter, groqAdapter, deepseekAdapter, xaiAdapter, openrouterAdapter, togetherAdapter, fireworksAdapter].flatMap((adapter) => [
    { adapter, api: 'chat_completions', contentType: 'text/event-stream' },
    { adapter, api: 'chat_completions', contentType: 'application/json' },
  ]),
  { adapter: xaiAdapter, api: 'responses', contentType: 'text/event-stream' },
  { adapter: mistralAdapter, api: 'embeddings', contentType: 'application/json' },
  { adapter: cohereAdapter, api: 'chat', contentType: 'text/event-stream' },
  { adapter: cohereAdapter, api: 'chat', contentType: 'application/json' },
  { adapter: cohereAdapter, api: 'embed', contentType: 'application/json' },
  { adapter: cohereAdapter, api: 'chat_v1', contentType: 'application/stream+json' },
  { adapter: cohereAdapter, api: 'chat_v1', contentType: 'application/json' },
  { adapter: cohereAdapter, api: 'rerank', contentType: 'application/json' },
  ...(['images', 'transcriptions', 'speech'] as const).map((api) => ({ adapter: openaiAdapter, api, contentType: 'text/event-stream' })),
  ...(['images', 'transcriptions', 'batches'] as const).map((api) => ({ adapter: openaiAdapter, api, contentType: 'application/json' })),
  {
    adapter: meterAdapter({ name: 'm', host: 'm.example', price: { perUnit: 1, unit: { json: 'usage.input_tokens' } } }),
    api: 'meter',
    contentType: 'application/json',
  },
  ...(['generate_content', 'stream_generate_content', 'embed_content'] as const).map((api) => ({
    adapter: geminiAdapter,
    api,
    contentType: 'application/json',
  })),
  { adapter: geminiAdapter, api: 'stream_generate_content', contentType: 'text/event-stream' },
  { adapter: vertexAdapter, api: 'stream_generate_content', contentType: 'text/event-stream' },
  { adapter: vertexAdapter, api: 'messages_stream', contentType: 'text/event-stream' },
  { adapter: vertexAdapter, api: 'messages', contentType: 'application/json' },
  { adapter: vertexAdapter, api: 'predict_embeddings', contentType: 'application/json' },
  { adapter: vertexAdapter, api: 'predict_images', contentType: 'application/json' },
  { adapter: bedrockAdapter, api: 'converse', contentType: 'application/json' },
  { adapter: bedrockAdapter, api: 'invoke', contentType: 'application/json' },
  ...EVENT_STREAM_KINDS,
];

const FIXTURES: readonly string[] = [
  'openai/fixtures/chat-stream-usage.sse',
  'openai/fixtures/chat-stream-no-usage.sse',
  'openai/fixtures/chat-stream-tool-call.sse',
  'openai/fixtures/responses-stream.sse',
  'openai/fixtures/responses-stream-incomplete.sse',
  'openai/fixtures/chat-completion.json',
  'openai/fixtures/responses.json',
  'openai/fixtures/embeddings.json',
  'anthropic/fixtures/message-stream.sse',
  'anthropic/fixtures/message-stream-tools.sse',
  'anthropic/fixtures/message-stream-error.sse',
  'anthropic/fixtures/message.json',
  'azure/fixtures/chat-stream.sse',
  'azure/fixtures/chat-completion.json',
  'mistral/fixtures/chat-stream.sse',
  'groq/fixtures/chat-stream.sse',
  'groq/fixtures/chat-stream-include-usage.sse',
  'deepseek/fixtures/chat-stream.sse',
  'deepseek/fixtures/chat-completion.json',
  'xai/fixtures/chat-stream.sse',
  'xai/fixtures/chat-completion.json',
  'openrouter/fixtures/chat-stream.sse',
  'openrouter/fixtures/chat-completion-byok.json',
  'together/fixtures/chat-stream.sse',
  'fireworks/fixtures/chat-stream.sse',
  'cohere/fixtures/chat-stream.sse',
  'cohere/fixtures/chat-stream-tools.sse',
  'cohere/fixtures/chat.json',
  'cohere/fixtures/embed.json',
  'cohere/fixtures/embed-images.json',
  'cohere/fixtures/chat-v1.json',
  'cohere/fixtures/chat-v1-stream.jsonl',
  'cohere/fixtures/embed-v1.json',
  'cohere/fixtures/rerank.json',
  'openai/fixtures/images-generation.json',
  'openai/fixtures/images-stream.sse',
  'openai/fixtures/transcription.json',
  'openai/fixtures/transcription-whisper.json',
  'openai/fixtures/transcription-stream.sse',
  'openai/fixtures/speech-stream.sse',
  'google/fixtures/generate-content.json',
  'google/fixtures/stream.sse',
  'google/fixtures/stream-array.json',
  'google/fixtures/vertex-stream.sse',
  'google/fixtures/embed.json',
  'google/fixtures/predict-embeddings.json',
  'bedrock/fixtures/converse.json',
  'bedrock/fixtures/invoke-anthropic.json',
].map((file) => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8'));

// Values a buggy or hostile server might put where a count belongs.
const BAD_NUMBERS = ['-1', '"12"', '1e999', '-1e999', 'null', '1.5', '99999999999999999999', 'NaN', '{}', '[]', 'true', '""'];
const NOISE = ['"usage":{', '"usage":null', '\n\n', '\r', '\r\n', 'data: ', 'event: message_delta\n', ': ping\n', '😊', '你', '\\', '"', '}', '[DONE]'];

const utf8 = new TextEncoder();

function read(kind: ReaderKind, pieces: readonly Uint8Array[]): ResponseFacts {
  const request: RequestFacts = {
    operation: 'chat',
    api: kind.api,
    model: undefined,
    stream: kind.contentType === 'text/event-stream',
    maxOutputTokens: undefined,
    inputTokenEstimate: 0,
  };
  const reader = kind.adapter.createReader(request, kind.contentType);
  for (const piece of pieces) reader.push(piece);
  return reader.finish();
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

function assertSane(facts: ResponseFacts): void {
  expect(isCount(facts.outputTokenEstimate)).toBe(true);
  expect(typeof facts.usageComplete).toBe('boolean');
  expect(facts.model === undefined || typeof facts.model === 'string').toBe(true);
  expect(facts.responseId === undefined || typeof facts.responseId === 'string').toBe(true);
  // A reported cost is a finite amount above zero, and only comes with usage.
  expect(facts.providerCostUsd === undefined || (Number.isFinite(facts.providerCostUsd) && facts.providerCostUsd > 0 && facts.usage !== undefined)).toBe(true);
  // Units other than tokens (seconds, images, a meter's count) are finite and never negative either.
  for (const count of Object.values(facts.units ?? {})) expect(Number.isFinite(count) && count >= 0).toBe(true);
  const usage = facts.usage;
  if (usage === undefined) {
    expect(facts.usageComplete).toBe(false);
    return;
  }
  for (const value of Object.values(usage)) expect(isCount(value)).toBe(true);
  expect(usage.cacheRead + usage.cacheWrite).toBeLessThanOrEqual(usage.input);
  expect(usage.reasoning).toBeLessThanOrEqual(usage.output);
}

function splitAt(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const sorted = points.map((point) => (bytes.length === 0 ? 0 : point % (bytes.length + 1))).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const point of sorted) {
    pieces.push(bytes.slice(from, point));
    from = point;
  }
  pieces.push(bytes.slice(from));
  return pieces;
}

type Mutation =
  | { kind: 'number'; at: number; value: string }
  | { kind: 'insert'; at: number; value: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), value: fc.constantFrom(...BAD_NUMBERS) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(text: string, change: Mutation): string {
  const at = change.at % (text.length + 1);
  switch (change.kind) {
    case 'number': {
      const numbers = [...text.matchAll(/\d+/g)];
      const target = numbers[change.at % Math.max(numbers.length, 1)];
      if (target === undefined) return text;
      return text.slice(0, target.index) + change.value + text.slice(target.index + target[0].length);
    }
    case 'insert':
      return text.slice(0, at) + change.value + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length);
    case 'repeat':
      return text.slice(0, at + change.length) + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
  }
}

describe('provider readers on hostile input', () => {
  it('never throw and never give NaN or negative counts for arbitrary bytes, arbitrarily split', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 16 }), (kind, bytes, points) => {
        assertSane(read(kind, splitAt(bytes, points)));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throw and never give NaN or negative counts for mutated fixtures, arbitrarily split', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.constantFrom(...FIXTURES),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 24 }),
        (kind, fixture, changes, points) => {
          const text = changes.reduce(mutate, fixture);
          assertSane(read(kind, splitAt(utf8.encode(text), points)));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('read arbitrary bytes the same however they are split', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.constantFrom(...FIXTURES),
        fc.array(mutation, { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 24 }),
        (kind, fixture, changes, points) => {
          const bytes = utf8.encode(changes.reduce(mutate, fixture));
          expect(read(kind, splitAt(bytes, points))).toEqual(read(kind, [bytes]));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('SseDecoder on arbitrary input', () => {
  function events(pieces: readonly Uint8Array[], maxLine: number): string[] {
    const seen: string[] = [];
    const decoder = new SseDecoder((event, data) => seen.push(`${event}\u0000${data}`), maxLine);
    for (const piece of pieces) decoder.push(piece);
    decoder.end();
    seen.push(`dropped ${decoder.dropped}`);
    return seen;
  }

  const sseText = fc
    .array(fc.oneof(fc.constantFrom('data: ', 'data:', 'event: ', ':', 'id: 1', '\n', '\r', '\r\n', '\n\n', '😊', 'é', '你'), fc.string({ maxLength: 12 })), {
      maxLength: 60,
    })
    .map((parts) => parts.join(''));

  it('dispatches the same events however the bytes are split, line cap included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          sseText.map((text) => utf8.encode(text)),
          fc.uint8Array({ maxLength: 512 }),
        ),
        fc.array(fc.nat(), { maxLength: 32 }),
        fc.integer({ min: 1, max: 64 }),
        (bytes, points, maxLine) => {
          expect(events(splitAt(bytes, points), maxLine)).toEqual(events([bytes], maxLine));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('event stream readers on valid frames with hostile contents', () => {
  const codec = new EventStreamCodec(
    (bytes: Uint8Array) => new TextDecoder().decode(bytes),
    (text: string) => utf8.encode(text),
  );
  interface Frame {
    headers: Map<string, string>;
    payload: string;
  }
  const frames = (name: string): Frame[] => {
    const found: Frame[] = [];
    const decoder = new EventStreamDecoder((message) => found.push({ headers: new Map(message.headers), payload: new TextDecoder().decode(message.payload) }));
    decoder.push(readFileSync(new URL(`./bedrock/fixtures/${name}`, import.meta.url)));
    return found;
  };
  const STREAMS = ['converse-stream.bin', 'converse-stream-exception.bin', 'invoke-stream-anthropic.bin', 'invoke-stream-nova.bin'].map(frames);
  const EVENT_TYPES = ['metadata', 'chunk', 'contentBlockDelta', 'messageStop', ''];

  /** Mutates a frame's JSON, or for a `chunk` the model's JSON inside its base64 `bytes`, and may relabel it. */
  const hostile = (frame: Frame, changes: readonly Mutation[], relabel: number | undefined): Frame => {
    const headers = new Map(frame.headers);
    if (relabel !== undefined)
      headers.set(relabel % 2 === 0 ? ':event-type' : ':message-type', relabel % 3 === 0 ? 'exception' : EVENT_TYPES[relabel % EVENT_TYPES.length]!);
    const outer = JSON.parse(frame.payload) as { bytes?: string };
    if (typeof outer.bytes !== 'string') return { headers, payload: changes.reduce(mutate, frame.payload) };
    const inner = changes.reduce(mutate, Buffer.from(outer.bytes, 'base64').toString('utf8'));
    return { headers, payload: JSON.stringify({ ...outer, bytes: Buffer.from(inner).toString('base64') }) };
  };
  const encode = (stream: readonly Frame[]): Uint8Array =>
    Buffer.concat(
      stream.map((frame) =>
        codec.encode({
          headers: Object.fromEntries([...frame.headers].map(([name, value]) => [name, { type: 'string' as const, value }])),
          body: utf8.encode(frame.payload),
        }),
      ),
    );

  it('never throw, never give NaN or negative counts, and read the same however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_STREAM_KINDS),
        fc.constantFrom(...STREAMS),
        fc.nat(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 24 }),
        (kind, stream, target, changes, relabel, points) => {
          const at = target % stream.length;
          const bytes = encode(stream.map((frame, i) => (i === at ? hostile(frame, changes, relabel) : frame)));
          const facts = read(kind, splitAt(bytes, points));
          assertSane(facts);
          expect(facts).toEqual(read(kind, [bytes]));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
