import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JsonText } from '../../../testkit/src/body.js';
import { FLAVOURS } from '../../../testkit/src/flavour.js';
import { anthropicMessages } from '../../../testkit/src/wire/anthropic-messages.js';
import type { WireFormat } from '../../../testkit/src/wire/format.js';
import { chatWireFormat } from '../../../testkit/src/wire/openai-chat.js';
import { openaiEmbeddings } from '../../../testkit/src/wire/openai-embeddings.js';
import { messagesJsonShape } from './anthropic/json-response.js';
import { topLevelMembers, topLevelScalars } from './json-members.js';
import { JsonResponseReader, type JsonShape, MIN_PART_READ_CHARS, readJsonFacts } from './json-reader.js';
import { openAiDialect } from './openai/dialect.js';
import { openAiJsonShapes } from './openai/json-response.js';

const WANTED = ['usage', 'model', 'id', 'service_tier'];

describe('topLevelMembers', () => {
  it('reads the members at both ends and leaves the middle unparsed', () => {
    // The middle is not JSON at all: only a reader that skips it can answer.
    const text = '{"id":"c1","model":"m","choices":[NOT JSON],"usage":{"prompt_tokens":3},"service_tier":"default"}';
    expect(topLevelMembers(text, 'usage', WANTED)).toEqual({ id: 'c1', model: 'm', usage: { prompt_tokens: 3 }, service_tier: 'default' });
  });

  it('reads the scalar members just before the anchor (an embeddings answer names its model there)', () => {
    const text = '{"object":"list","data":[{"embedding":[0.1,-2e-3]}],"model":"text-embedding-3-small","n":-1.5e3,"usage":{"prompt_tokens":8}}';
    expect(topLevelMembers(text, 'usage', ['usage', 'model', 'n'])).toEqual({ model: 'text-embedding-3-small', n: -1500, usage: { prompt_tokens: 8 } });
  });

  it('says a key is absent only when its name occurs nowhere in the middle', () => {
    expect(topLevelMembers('{"id":"a","choices":[{"x":1}],"usage":{"u":1}}', 'usage', ['id', 'usage', 'model'])).toEqual({ id: 'a', usage: { u: 1 } });
    // "model" inside the middle may be a top-level member the scan did not read: the whole body must be parsed.
    expect(topLevelMembers('{"id":"a","choices":[{"x":1}],"model":"m","other":[1],"usage":{"u":1}}', 'usage', ['usage', 'model'])).toBeUndefined();
  });

  it('refuses an anchor that is not a member of the top-level object', () => {
    expect(topLevelMembers('{"id":"a","choices":[{"usage":{"u":1}}]}', 'usage', WANTED)).toBeUndefined();
    expect(topLevelMembers('{"choices":[{"usage":{"u":1}}],"n":2}', 'usage', ['usage'])).toBeUndefined();
    expect(topLevelMembers('{"choices":[1],"name":"usage"}', 'usage', ['usage'])).toBeUndefined();
  });

  it('is not fooled by quotes, braces and key names inside strings', () => {
    const text = '{"id":"say \\"x\\"","choices":[{"text":"\\"usage\\":{} } ] \\\\"}],"usage":{"note":"a } \\" {","n":[1,{"m":2}]}}';
    expect(topLevelMembers(text, 'usage', ['id', 'usage'])).toEqual({ id: JSON.parse(text).id, usage: JSON.parse(text).usage });
    expect(topLevelMembers('{"choices":[{"text":"\\"usage\\":{}"}]}', 'usage', ['usage'])).toBeUndefined();
  });

  it('takes the last of a repeated key, as JSON.parse does', () => {
    expect(topLevelMembers('{"model":"a","x":[1],"model":"b","usage":{}}', 'usage', ['usage', 'model'])).toEqual({ model: 'b', usage: {} });
  });

  it('reads a body of scalars only, and surrounding whitespace', () => {
    expect(topLevelMembers(' \n{ "id" : "a" , "n" : null }\n', 'usage', ['id', 'usage'])).toEqual({ id: 'a' });
    expect(topLevelMembers('{}', 'usage', ['usage'])).toEqual({});
  });

  it.each([
    '',
    '[]',
    '{"usage":{"a":1}',
    '{"a":[1],"usage":{"a":1}} x',
    '{"a":[1],"usage":{"a":1},}',
    '{"a":[1],"usage":{"a":1}',
    '{"a":[1],"usage":{"a":1}}}',
    '{"id":tru,"a":[1],"usage":{}}',
    '{"a":[1],"us\\u0061ge":{"a":1}}',
    '{"a":[1],"usage":{"a":1},"model":"unterminated}',
  ])('answers undefined for %j', (text) => {
    expect(topLevelMembers(text, 'usage', WANTED)).toBeUndefined();
  });
});

describe('topLevelScalars', () => {
  it('reads top-level scalars wherever they are, stepping over nested values', () => {
    const text = '{"messages":[{"role":"user","content":"say \\"}]\\" {"}],"model":"m","n":-1.5e3,"stream":true,"x":null}';
    expect(topLevelScalars(text, ['model', 'stream', 'n', 'absent'])).toEqual({ model: 'm', stream: true, n: -1500 });
  });

  it('takes the last of a repeated key, and unescapes a string value', () => {
    expect(topLevelScalars('{"model":"a","model":"b\\u00e9"}', ['model'])).toEqual({ model: 'bé' });
  });

  it.each([
    '',
    '[]',
    '{"model":{"nested":1}}',
    '{"m\\u006fdel":"x"}',
    '{"a":[}],"model":"m"}',
    '{"a":{],"model":"m"}',
    '{"a":[1,"model":"m"}',
    '{"a":tru,"model":"m"}',
    '{"a":01,"model":"m"}',
    '{"a":1.,"model":"m"}',
    '{"model":"m"} x',
    '{"model":"m",}',
    '{"model" "m"}',
    `{"a":${'['.repeat(40)}${']'.repeat(40)},"model":"m"}`,
  ])('answers undefined for %j', (text) => {
    expect(topLevelScalars(text, ['model'])).toBeUndefined();
  });
});

/** Every recorded JSON payload of the repository. */
function fixtures(): { name: string; text: string }[] {
  const roots = [fileURLToPath(new URL('..', import.meta.url)), fileURLToPath(new URL('../../../../test/fixtures', import.meta.url))];
  const found: { name: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path);
      else if (entry.name.endsWith('.json') && path.includes('fixtures')) found.push({ name: path, text: readFileSync(path, 'utf8') });
    }
  };
  for (const root of roots) walk(root);
  return found;
}

const shapes = openAiJsonShapes(openAiDialect);
const SCANNED: readonly [string, JsonShape][] = [
  ['OpenAI chat', shapes.chat],
  ['OpenAI embeddings', shapes.embeddings],
  ['Anthropic messages', messagesJsonShape],
];

describe('reading a JSON answer from its ends', () => {
  const payloads = fixtures();

  it('finds the recorded payloads', () => {
    expect(payloads.length).toBeGreaterThan(40);
  });

  it.each(SCANNED)('gives the same facts as parsing it whole, on every recorded payload (%s)', (_name, shape) => {
    // Trailing whitespace makes each long enough to be read from its ends.
    for (const { name, text } of payloads.map(({ name, text }) => ({ name, text: `${text}${' '.repeat(MIN_PART_READ_CHARS)}` }))) {
      const reader = new JsonResponseReader(shape);
      const bytes = new TextEncoder().encode(text);
      reader.push(bytes.subarray(0, bytes.length >> 1));
      reader.push(bytes.subarray(bytes.length >> 1));
      const whole = readJsonFacts({ value: JSON.parse(text), tooLarge: false, byteLength: bytes.length, tail: '' }, shape);
      expect(reader.finish(), name).toEqual(whole);
    }
  });

  it.each([
    ['openai/fixtures/chat-completion.json', shapes.chat],
    ['openai/fixtures/embeddings.json', shapes.embeddings],
    ['anthropic/fixtures/message.json', messagesJsonShape],
  ] as const)('reads %s from its ends', (file, shape) => {
    const text = readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8');
    const members = topLevelMembers(text, 'usage', ['usage', 'model', 'id', 'service_tier', ...(shape.bodyKeys ?? [])]);
    expect(members?.['usage']).toEqual(JSON.parse(text).usage);
    expect(members?.['model']).toEqual(JSON.parse(text).model);
  });
});

/** Every JSON answer the fake providers of @costctl/testkit write for a chat, messages and embeddings call, in each flavour. */
function wireAnswers(): { name: string; text: string }[] {
  const answers: { name: string; text: string }[] = [];
  const formats: [WireFormat, Record<string, unknown>][] = [
    [chatWireFormat('openai.chat'), { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi, in a few words' }], max_tokens: 40 }],
    [anthropicMessages, { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 40 }],
    [openaiEmbeddings, { model: 'text-embedding-3-small', input: 'The food was delicious.' }],
  ];
  for (const [format, body] of formats) {
    for (const flavour of FLAVOURS) {
      const answer = format.json(body, { model: String(body['model']), requestId: 'req_1', created: 1_758_631_512, flavour });
      answers.push({ name: `${format.api} (${flavour})`, text: answer instanceof JsonText ? answer.text : JSON.stringify(answer) });
    }
  }
  return answers;
}

describe("reading the fake providers' JSON answers from their ends", () => {
  const answers = wireAnswers();

  it.each(SCANNED)('gives the same facts as parsing them whole, at their own length and past the threshold (%s)', (_name, shape) => {
    let readFromEnds = 0;
    for (const { name, text: own } of answers) {
      for (const text of [own, `${own}${' '.repeat(MIN_PART_READ_CHARS)}`]) {
        const reader = new JsonResponseReader(shape);
        reader.push(new TextEncoder().encode(text));
        const whole = readJsonFacts({ value: JSON.parse(text), tooLarge: false, byteLength: text.length, tail: '' }, shape);
        expect(reader.finish(), name).toEqual(whole);
        if (text.length >= MIN_PART_READ_CHARS && topLevelMembers(text, 'usage', WANTED) !== undefined) readFromEnds += 1;
      }
    }
    // Each answer, padded, is one the ends can be read from: the comparison above is not of one path with itself.
    expect(readFromEnds).toBeGreaterThanOrEqual(answers.length);
  });
});
