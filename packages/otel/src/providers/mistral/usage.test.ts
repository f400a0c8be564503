import { describe, expect, it } from 'vitest';
import { mistralChatUsage } from './usage.js';

describe('mistralChatUsage', () => {
  it.each([
    [{ prompt_tokens_details: { cached_tokens: 64 } }],
    [{ prompt_token_details: { cached_tokens: 64 } }],
    [{ num_cached_tokens: 64 }],
    [{ prompt_tokens_details: null, num_cached_tokens: 64 }],
  ])('reads cached prompt tokens from %j', (cache) => {
    const usage = mistralChatUsage({ prompt_tokens: 120, completion_tokens: 9, total_tokens: 129, ...cache });
    expect(usage).toEqual({ input: 120, output: 9, cacheRead: 64, cacheWrite: 0, reasoning: 0 });
  });

  it('ignores audio seconds, which are no tokens', () => {
    const usage = mistralChatUsage({ prompt_tokens: 30, completion_tokens: 2, total_tokens: 32, prompt_audio_seconds: 12 });
    expect(usage).toEqual({ input: 30, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it.each([[null], [{ prompt_tokens: 30 }], [{ prompt_tokens: 30, completion_tokens: null }]])('gives no usage for %j', (usage) => {
    expect(mistralChatUsage(usage)).toBeUndefined();
  });
});
