import { describe, expect, it } from 'vitest';
import { readOpenAiRequest } from './request.js';

const chat = { operation: 'chat', api: 'chat_completions' } as const;
const responses = { operation: 'chat', api: 'responses' } as const;
const embeddings = { operation: 'embeddings', api: 'embeddings' } as const;
const completions = { operation: 'text_completion', api: 'completions' } as const;

describe('readOpenAiRequest', () => {
  it('reads a chat request', () => {
    const body = {
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 500,
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise this page.' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
      ],
    };
    expect(readOpenAiRequest(chat, body, 400)).toEqual({
      operation: 'chat',
      api: 'chat_completions',
      model: 'gpt-4o-mini',
      stream: true,
      maxOutputTokens: 500,
      inputTokenEstimate: Math.ceil((14 + 20) / 4),
    });
  });

  it('falls back to max_tokens for chat', () => {
    expect(readOpenAiRequest(chat, { model: 'gpt-4o', max_tokens: 100, messages: [] }, 50).maxOutputTokens).toBe(100);
  });

  it('reads a responses request: instructions and input, string or items', () => {
    const asString = readOpenAiRequest(responses, { model: 'o3', input: 'Hello there', instructions: 'Be kind', max_output_tokens: 64 }, 90);
    expect(asString).toMatchObject({ model: 'o3', stream: false, maxOutputTokens: 64, inputTokenEstimate: Math.ceil(18 / 4) });
    const asItems = readOpenAiRequest(
      responses,
      {
        model: 'gpt-4.1',
        stream: true,
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'What is the weather?' }] },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_1', output: '18°C, sunny' },
        ],
      },
      300,
    );
    expect(asItems).toMatchObject({ stream: true, maxOutputTokens: undefined, inputTokenEstimate: Math.ceil((20 + 16 + 11) / 4) });
  });

  it('reads embeddings input as text or as token ids', () => {
    expect(readOpenAiRequest(embeddings, { model: 'text-embedding-3-small', input: 'abcdefgh' }, 60)).toMatchObject({
      operation: 'embeddings',
      inputTokenEstimate: 2,
      maxOutputTokens: undefined,
    });
    expect(readOpenAiRequest(embeddings, { input: ['abcd', 'efgh'] }, 30).inputTokenEstimate).toBe(2);
    expect(readOpenAiRequest(embeddings, { input: [1, 2, 3] }, 30).inputTokenEstimate).toBe(3);
    expect(
      readOpenAiRequest(
        embeddings,
        {
          input: [
            [1, 2],
            [3, 4, 5],
          ],
        },
        30,
      ).inputTokenEstimate,
    ).toBe(5);
  });

  it('reads a legacy completions request', () => {
    expect(readOpenAiRequest(completions, { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 }, 80)).toMatchObject({
      operation: 'text_completion',
      api: 'completions',
      maxOutputTokens: 7,
      inputTokenEstimate: 5,
    });
  });

  it('falls back to bodyLength / 4 when the body could not be parsed', () => {
    expect(readOpenAiRequest(chat, undefined, 1001)).toEqual({
      operation: 'chat',
      api: 'chat_completions',
      model: undefined,
      stream: false,
      maxOutputTokens: undefined,
      inputTokenEstimate: 251,
    });
    expect(readOpenAiRequest(chat, 'not an object', Number.NaN).inputTokenEstimate).toBe(0);
  });

  it('ignores fields of the wrong type', () => {
    const facts = readOpenAiRequest(chat, { model: 42, stream: 'yes', max_tokens: -1, max_completion_tokens: '9', messages: 'hi' }, 10);
    expect(facts).toMatchObject({ model: undefined, stream: false, maxOutputTokens: undefined, inputTokenEstimate: 1 });
  });

  it('never throws, even on an object whose getters throw', () => {
    const hostile = Object.defineProperty({}, 'messages', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(readOpenAiRequest(chat, hostile, 40).inputTokenEstimate).toBe(10);
  });
});
