import { describe, expect, it } from 'vitest';
import { chatCompletionsUsage, embeddingsUsage, responsesUsage } from './usage.js';

describe('chatCompletionsUsage', () => {
  it('keeps cached tokens inside input and reasoning tokens inside output', () => {
    expect(
      chatCompletionsUsage({
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 192 },
      }),
    ).toEqual({ input: 2006, output: 300, cacheRead: 1920, cacheWrite: 0, reasoning: 192 });
  });

  it('reads cache writes where OpenAI reports them', () => {
    expect(
      chatCompletionsUsage({ prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 64 } }),
    ).toMatchObject({ cacheWrite: 64 });
  });

  it.each([
    [null],
    [undefined],
    ['usage'],
    [{}],
    [{ prompt_tokens: 10 }],
    [{ prompt_tokens: '12', completion_tokens: 3 }],
    [{ prompt_tokens: 12, completion_tokens: -3 }],
    [{ prompt_tokens: Number.NaN, completion_tokens: 3 }],
  ])('gives no usage for %j', (usage) => {
    expect(chatCompletionsUsage(usage)).toBeUndefined();
  });

  it('treats malformed details as absent', () => {
    expect(
      chatCompletionsUsage({ prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: null, completion_tokens_details: { reasoning_tokens: '2' } }),
    ).toEqual({ input: 5, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });
});

describe('responsesUsage', () => {
  it('maps input, cached, output and reasoning tokens', () => {
    expect(
      responsesUsage({
        input_tokens: 5210,
        input_tokens_details: { cached_tokens: 4864 },
        output_tokens: 812,
        output_tokens_details: { reasoning_tokens: 768 },
        total_tokens: 6022,
      }),
    ).toEqual({ input: 5210, output: 812, cacheRead: 4864, cacheWrite: 0, reasoning: 768 });
  });

  it.each([[null], [{ input_tokens: 1 }], [{ prompt_tokens: 1, completion_tokens: 1 }]])('gives no usage for %j', (usage) => {
    expect(responsesUsage(usage)).toBeUndefined();
  });
});

describe('embeddingsUsage', () => {
  it('has input only', () => {
    expect(embeddingsUsage({ prompt_tokens: 17, total_tokens: 17 })).toEqual({ input: 17, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it.each([[null], [{}], [{ prompt_tokens: '17' }]])('gives no usage for %j', (usage) => {
    expect(embeddingsUsage(usage)).toBeUndefined();
  });
});
