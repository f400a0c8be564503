import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JsonBodyCollector } from '../json-body.js';
import { JsonResponseReader } from '../json-reader.js';
import { noResponseFacts } from '../response-facts.js';
import type { ResponseFacts } from '../types.js';
import { openAiJsonShape } from './json-response.js';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

function readJson(api: string, body: Uint8Array | string, collector?: JsonBodyCollector): ResponseFacts {
  const reader = new JsonResponseReader(openAiJsonShape(api), collector);
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  // Uneven chunks, as a socket delivers them.
  for (let at = 0; at < bytes.length; at += 7) reader.push(bytes.subarray(at, at + 7));
  return reader.finish();
}

describe('OpenAI JSON responses', () => {
  it('estimates the output of a chat completion that reports no usage from its text', () => {
    const body = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'abcdefghijkl' } }],
    };
    expect(readJson('chat_completions', JSON.stringify(body))).toMatchObject({ usage: undefined, usageComplete: false, outputTokenEstimate: 3 });
  });

  it('reads a chat completion with cached and reasoning tokens', () => {
    expect(readJson('chat_completions', fixture('chat-completion.json'))).toEqual({
      model: 'o4-mini-2025-04-16',
      responseId: 'chatcmpl-CJ4mXq7Rk2vT9bWn1sPz8LdY3hGfE',
      usage: { input: 2006, output: 300, cacheRead: 1920, cacheWrite: 0, reasoning: 192 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
      serviceTier: 'default',
    });
  });

  it('reads a Responses API body', () => {
    expect(readJson('responses', fixture('responses.json'))).toEqual({
      model: 'o3-2025-04-16',
      responseId: 'resp_68a1f7a3b1c08191a2b3c4d5e6f7a8b90c1d2e3f4a5b6c7d',
      usage: { input: 5210, output: 812, cacheRead: 4864, cacheWrite: 0, reasoning: 768 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
      serviceTier: 'default',
    });
  });

  it('reads an embeddings body', () => {
    expect(readJson('embeddings', fixture('embeddings.json'))).toEqual({
      model: 'text-embedding-3-small',
      responseId: undefined,
      usage: { input: 17, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
    });
  });

  it('reads a legacy completion', () => {
    const body = JSON.stringify({
      id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
      object: 'text_completion',
      created: 1589478378,
      model: 'gpt-3.5-turbo-instruct',
      system_fingerprint: 'fp_44709d6fcb',
      choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    });
    expect(readJson('completions', body)).toMatchObject({
      model: 'gpt-3.5-turbo-instruct',
      usage: { input: 5, output: 7 },
      usageComplete: true,
      outputTokenEstimate: 0,
    });
  });

  it('reads usage from the tail of an embeddings body too large to keep', () => {
    const big = new JsonBodyCollector(256, 1024);
    expect(readJson('embeddings', fixture('embeddings.json'), big)).toEqual({
      model: 'text-embedding-3-small',
      responseId: undefined,
      usage: { input: 17, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
    });
  });

  it('gives no usage for an error body', () => {
    expect(readJson('chat_completions', fixture('error.json'))).toEqual(noResponseFacts());
  });

  it('gives no usage, and does not throw, for null or malformed usage', () => {
    const nullUsage = readJson('chat_completions', '{"id":"chatcmpl-1","model":"gpt-4o","choices":[],"usage":null}');
    expect(nullUsage).toMatchObject({ model: 'gpt-4o', responseId: 'chatcmpl-1', usage: undefined, usageComplete: false });
    const wrongTypes = readJson('chat_completions', '{"model":7,"usage":{"prompt_tokens":"12","completion_tokens":-1}}');
    expect(wrongTypes).toEqual(noResponseFacts());
  });

  it.each(['', 'garbage', '{"usage":{"prompt_tokens":1', '[1,2,3]', 'null', '"usage"'])('reads nothing from %j', (body) => {
    expect(readJson('chat_completions', body)).toEqual(noResponseFacts());
  });
});
