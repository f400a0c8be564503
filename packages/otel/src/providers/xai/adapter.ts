import { compatibleCatalog, openAiCompatibleAdapter } from '../openai/compatible.js';
import { openAiDialectWith } from '../openai/dialect.js';
import { xaiChatUsage, xaiCost, xaiResponsesUsage, xaiUsageExtras } from './usage.js';

/**
 * xAI: Chat Completions, Responses and legacy Completions at api.x.ai. Every
 * answer reports what it cost (`usage.cost_in_usd_ticks`), which wins over
 * the price data.
 *
 * @example
 * xaiAdapter.matchCall('POST', '/v1/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 */
export const xaiAdapter = openAiCompatibleAdapter({
  name: 'x_ai',
  pricingId: 'x-ai',
  hosts: ['api.x.ai'],
  catalog: compatibleCatalog('/v1', ['chat', 'responses', 'completions']),
  dialect: openAiDialectWith({ chatUsage: xaiChatUsage, responsesUsage: xaiResponsesUsage, cost: xaiCost, usageExtras: xaiUsageExtras }),
  // xAI's own error shape: `{"code": "…", "error": "…"}`.
  errorBody: (type: string, message: string) => ({ code: type, error: message }),
});
