import { describe, expect, it } from 'vitest';
import { deepseekChatUsage } from './adapter.js';

describe('deepseekChatUsage', () => {
  it('reads cache hits once, inside the input, though DeepSeek reports them twice', () => {
    expect(
      deepseekChatUsage({
        prompt_tokens: 1312,
        completion_tokens: 286,
        total_tokens: 1598,
        prompt_tokens_details: { cached_tokens: 1280 },
        completion_tokens_details: { reasoning_tokens: 271 },
        prompt_cache_hit_tokens: 1280,
        prompt_cache_miss_tokens: 32,
      }),
    ).toEqual({ input: 1312, output: 286, cacheRead: 1280, cacheWrite: 0, reasoning: 271 });
  });

  it('falls back to prompt_tokens_details when the hit count is missing', () => {
    expect(deepseekChatUsage({ prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 64 } })).toMatchObject({ cacheRead: 64 });
  });

  it('takes the hit count when the two disagree, and never lets cache reads pass the input', () => {
    expect(
      deepseekChatUsage({ prompt_tokens: 100, completion_tokens: 5, prompt_cache_hit_tokens: 96, prompt_tokens_details: { cached_tokens: 64 } }),
    ).toMatchObject({ cacheRead: 96 });
    expect(deepseekChatUsage({ prompt_tokens: 100, completion_tokens: 5, prompt_cache_hit_tokens: 900 })).toMatchObject({ input: 100, cacheRead: 100 });
  });

  it.each([[null], [{}], [{ prompt_cache_hit_tokens: 10, prompt_cache_miss_tokens: 5 }], [{ prompt_tokens: 15, completion_tokens: '3' }]])(
    'gives no usage for %j',
    (usage) => {
      expect(deepseekChatUsage(usage)).toBeUndefined();
    },
  );
});
