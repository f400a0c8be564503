import { describe, expect, it } from 'vitest';
import { togetherAdapter } from './adapter.js';

const read = (body: object) => {
  const reader = togetherAdapter.createReader(
    { operation: 'chat', api: 'chat_completions', model: undefined, stream: false, maxOutputTokens: undefined, inputTokenEstimate: 1 },
    'application/json',
  );
  reader.push(new TextEncoder().encode(JSON.stringify(body)));
  return reader.finish();
};

describe('togetherAdapter', () => {
  it('reads cached tokens from the top of usage, where Together puts them', () => {
    const usage = { prompt_tokens: 49, completion_tokens: 3, total_tokens: 52, cached_tokens: 32, prompt_tokens_details: null };
    expect(read({ model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', usage }).usage).toEqual({
      input: 49,
      output: 3,
      cacheRead: 32,
      cacheWrite: 0,
      reasoning: 0,
    });
  });

  it('prefers prompt_tokens_details when Together fills it', () => {
    const usage = { prompt_tokens: 49, completion_tokens: 3, cached_tokens: 0, prompt_tokens_details: { cached_tokens: 16 } };
    expect(read({ usage }).usage?.cacheRead).toBe(16);
  });

  it('reports no service tier for its null one', () => {
    expect(read({ usage: { prompt_tokens: 1, completion_tokens: 1 }, service_tier: null }).serviceTier).toBeUndefined();
  });
});
