import { compatibleCatalog, openAiCompatibleAdapter, openAiErrorBody } from '../openai/compatible.js';
import { openAiDialectWith } from '../openai/dialect.js';
import { chatUsageReader } from '../openai/usage.js';
import { countAt, type JsonRecord, recordAt } from '../wire-values.js';

/**
 * DeepSeek's usage: `prompt_tokens` is `prompt_cache_hit_tokens` +
 * `prompt_cache_miss_tokens`, and `prompt_tokens_details.cached_tokens`
 * repeats the hits; the hits are read once, as cache reads inside the input.
 * `completion_tokens` includes `deepseek-reasoner`'s reasoning tokens.
 *
 * @example
 * deepseekChatUsage({ prompt_tokens: 1000, completion_tokens: 50, prompt_cache_hit_tokens: 960, prompt_cache_miss_tokens: 40,
 *   prompt_tokens_details: { cached_tokens: 960 } })
 * // { input: 1000, output: 50, cacheRead: 960, cacheWrite: 0, reasoning: 0 }
 */
export const deepseekChatUsage = chatUsageReader({
  cacheRead: (usage: JsonRecord) => countAt(usage, 'prompt_cache_hit_tokens') ?? countAt(recordAt(usage, 'prompt_tokens_details'), 'cached_tokens'),
});

/**
 * DeepSeek: Chat Completions and FIM completions (beta) at api.deepseek.com,
 * in OpenAI's wire format with its own cache counts.
 *
 * @example
 * deepseekAdapter.matchCall('POST', '/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 */
export const deepseekAdapter = openAiCompatibleAdapter({
  name: 'deepseek',
  pricingId: 'deepseek',
  hosts: ['api.deepseek.com'],
  catalog: [...compatibleCatalog('', ['chat']), ...compatibleCatalog('/beta', ['completions'])],
  dialect: openAiDialectWith({ chatUsage: deepseekChatUsage }),
  errorBody: openAiErrorBody,
});
