import { chatUsageReader } from '../openai/usage.js';
import { countAt, type JsonRecord, recordAt } from '../wire-values.js';

/**
 * Mistral's Chat Completions and FIM usage: OpenAI's totals, with the cached
 * prompt tokens under any of the names Mistral's API schema gives them
 * (`prompt_tokens_details`, `prompt_token_details`, `num_cached_tokens`), read once.
 *
 * @example
 * mistralChatUsage({ prompt_tokens: 120, completion_tokens: 9, num_cached_tokens: 64 })
 * // { input: 120, output: 9, cacheRead: 64, cacheWrite: 0, reasoning: 0 }
 */
export const mistralChatUsage = chatUsageReader({
  cacheRead: (usage: JsonRecord) =>
    countAt(recordAt(usage, 'prompt_tokens_details'), 'cached_tokens') ??
    countAt(recordAt(usage, 'prompt_token_details'), 'cached_tokens') ??
    countAt(usage, 'num_cached_tokens'),
});
