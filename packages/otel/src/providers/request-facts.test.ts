import { describe, expect, it } from 'vitest';
import { readRequestFacts, readRequestBody } from '../call/request-body.js';
import { anthropicAdapter } from './anthropic/adapter.js';
import { openaiAdapter } from './openai/adapter.js';
import { mistralAdapter } from './mistral/adapter.js';
import { listAdapters } from './registry.js';
import { tokensFromChars } from './text-size.js';
import type { ProviderAdapter, ProviderCall, RequestFacts } from './types.js';

/** A value `depth` arrays deep. */
const nested = (depth: number): unknown => (depth === 0 ? 'very deep' : [nested(depth - 1)]);

const LONG = 'A long prompt with "quotes", \\ backslashes, {braces} and [brackets], \u00e9 and \u{1F600}. '.repeat(200);

/** Request bodies as apps and SDKs send them, and the odd ones a bounded read must refuse or read as a parse would. */
const BODIES: readonly unknown[] = [
  {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ],
    model: 'gpt-4o-mini',
    max_completion_tokens: 256,
  },
  { model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: LONG }], max_tokens: 1024 },
  {
    model: 'gpt-4o',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is in it?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ],
  },
  {
    model: 'gpt-4o',
    messages: [{ role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":"}]"}' } }] }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
  },
  {
    model: 'gpt-4.1',
    instructions: LONG,
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'go' }] }],
    max_output_tokens: 500,
    service_tier: 'flex',
  },
  { model: 'text-embedding-3-small', input: ['one', 'two', [1, 2, 3]], encoding_format: 'float' },
  { model: 'gpt-3.5-turbo-instruct', prompt: [[1, 2, 3], 'text'], max_tokens: 16.6, stream: false },
  {
    model: 'claude-haiku-4-5',
    system: [{ type: 'text', text: LONG, cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: 'Hello' }],
    max_tokens: 64,
    stream: true,
  },
  { model: 12, stream: 'true', max_tokens: -3, service_tier: null, messages: [] },
  { model: 'say "hi" \\ \u00e9', max_tokens: 1e300, messages: [{ content: '\u2028\u0000' }] },
  { deep: nested(34), model: 'gpt-4o-mini' },
  { deep: nested(20), model: 'gpt-4o-mini', max_tokens: 3 },
  {},
  [],
  'a string',
  null,
];

const TEXTS: readonly string[] = [
  ...BODIES.map((body) => JSON.stringify(body)),
  JSON.stringify(BODIES[0], null, 2),
  '{"model":"a","messages":[],"model":"b","max_tokens":5,"max_tokens":7}',
  '{"mod\\u0065l":"escaped-key","messages":[]}',
  '{"model":"m","stream":{"nested":true}}',
  '{"model":"m","messages":[}]}',
  '{"model":"m","messages":[]} trailing',
  '{"model":"m","messages":[]',
  '{"model":"m", "n": tru }',
  '',
  'not json',
];

/** The facts as data: the estimate read from its getter, when it has one. */
const plain = (facts: RequestFacts) => ({ ...facts, inputTokenEstimate: facts.inputTokenEstimate });

/** Every adapter that reads bodies from their text, with the calls it matches among the usual paths. */
function textCalls(): [ProviderAdapter, ProviderCall][] {
  const paths = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/completions', '/v1/messages', '/chat/completions', '/v1/audio/speech'];
  const calls: [ProviderAdapter, ProviderCall][] = [];
  for (const adapter of listAdapters()) {
    if (adapter.readRequestText === undefined) continue;
    for (const path of paths) {
      const call = adapter.matchCall('POST', path);
      if (call !== undefined) calls.push([adapter, call]);
    }
  }
  return calls;
}

describe('reading a request body from its text', () => {
  const calls = textCalls();

  it('covers the adapters that read from text', () => {
    expect(calls.some(([adapter]) => adapter === openaiAdapter)).toBe(true);
    expect(calls.some(([adapter]) => adapter === anthropicAdapter)).toBe(true);
    expect(calls.length).toBeGreaterThan(20);
  });

  it('gives the facts the parsed body gives, for every body, adapter and API', () => {
    let fromText = 0;
    for (const [adapter, call] of calls) {
      for (const text of TEXTS) {
        const { json, length } = readRequestBody(text);
        const parsed = adapter.readRequest(call, json, length);
        const name = `${adapter.name} ${call.api} ${text.slice(0, 60)}`;
        if (adapter.readRequestText?.(call, text) !== undefined) fromText += 1;
        expect(plain(readRequestFacts(adapter, call, text)), name).toEqual(plain(parsed));
        expect(plain(readRequestFacts(adapter, call, new TextEncoder().encode(text))), name).toEqual(plain(parsed));
      }
    }
    // Most bodies are read from their text: the comparison is not of one path with itself.
    expect(fromText).toBeGreaterThan(calls.length * 8);
  });

  it('parses the body for its input estimate only when the estimate is read, and once', () => {
    const call = { operation: 'chat', api: 'chat_completions' } as const;
    // Nested JSON that does not parse: the top level still reads, the estimate falls back to the size, as for any unparsable body.
    const text = '{"model":"gpt-4o-mini","max_tokens":9,"messages":[{"role":"user","content":"hi"} ,]}';
    const facts = openaiAdapter.readRequestText?.(call, text);
    expect(facts).toMatchObject({ model: 'gpt-4o-mini', maxOutputTokens: 9, stream: false });
    expect(facts?.inputTokenEstimate).toBe(tokensFromChars(text.length));
    const good = openaiAdapter.readRequestText?.(call, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there!' }] }));
    expect(good?.inputTokenEstimate).toBe(3);
    if (good !== undefined) good.inputTokenEstimate = 40;
    expect(good?.inputTokenEstimate).toBe(40);
  });

  it('leaves the bodies of unit calls to their own reader', () => {
    const ocr = mistralAdapter.matchCall('POST', '/v1/ocr');
    expect(ocr).toEqual({ operation: 'ocr', api: 'ocr' });
    if (ocr !== undefined) expect(mistralAdapter.readRequestText?.(ocr, '{"model":"mistral-ocr-latest"}')).toBeUndefined();
    // The same adapter's chat calls are read from their text.
    const chat = mistralAdapter.matchCall('POST', '/v1/chat/completions');
    if (chat !== undefined) expect(mistralAdapter.readRequestText?.(chat, '{"model":"mistral-small-latest"}')?.model).toBe('mistral-small-latest');
  });
});
