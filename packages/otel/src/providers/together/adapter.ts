import { compatibleCatalog, openAiCompatibleAdapter, openAiErrorBody } from '../openai/compatible.js';
import { openAiDialectWith } from '../openai/dialect.js';
import { chatUsageReader } from '../openai/usage.js';
import { withUnitCalls } from '../unit-calls.js';
import { countAt, type JsonRecord, recordAt } from '../wire-values.js';
import { togetherImageCalls } from './images.js';

/**
 * Together AI: OpenAI's APIs at api.together.xyz/v1. Its usage carries
 * `cached_tokens` at the top level (with `prompt_tokens_details` null), and
 * its streams end with usage in their last chunk whether or not it was asked for.
 * Its image models are billed per image (`images.ts`).
 *
 * @example
 * togetherAdapter.matchCall('POST', '/v1/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 */
export const togetherAdapter = withUnitCalls(
  openAiCompatibleAdapter({
    name: 'together',
    pricingId: 'together',
    hosts: ['api.together.xyz'],
    catalog: compatibleCatalog('/v1', ['chat', 'completions', 'embeddings']),
    dialect: openAiDialectWith({
      chatUsage: chatUsageReader({
        cacheRead: (usage: JsonRecord) => countAt(recordAt(usage, 'prompt_tokens_details'), 'cached_tokens') ?? countAt(usage, 'cached_tokens'),
      }),
    }),
    errorBody: openAiErrorBody,
  }),
  togetherImageCalls,
);
