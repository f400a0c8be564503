import { compatibleCatalog, openAiCompatibleAdapter } from '../openai/compatible.js';
import { openAiDialectWith, reportedUsd } from '../openai/dialect.js';
import { isRecord, recordAt } from '../wire-values.js';

/**
 * OpenRouter: one OpenAI-format API at openrouter.ai/api/v1 routing to many
 * providers. Its usage reports what the call cost in USD (`usage.cost`),
 * which wins over the price data.
 *
 * @example
 * openrouterAdapter.matchCall('POST', '/api/v1/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 */
export const openrouterAdapter = openAiCompatibleAdapter({
  name: 'openrouter',
  pricingId: 'openrouter',
  hosts: ['openrouter.ai'],
  catalog: compatibleCatalog('/api/v1', ['chat', 'completions', 'responses', 'embeddings']),
  dialect: openAiDialectWith({ cost: openRouterCost }),
  errorBody: (type: string, message: string) => ({ error: { code: 402, message, metadata: { type } } }),
});

/**
 * What a call cost in USD: `usage.cost`, plus — when the call ran on the
 * app's own provider key (`is_byok`) — `cost_details.upstream_inference_cost`,
 * which that provider bills besides OpenRouter's fee.
 *
 * @example
 * openRouterCost({ cost: 0.00001255, is_byok: false }) // 0.00001255
 * openRouterCost({ cost: 0.95, is_byok: true, cost_details: { upstream_inference_cost: 19 } }) // 19.95
 */
export function openRouterCost(usage: unknown): number | undefined {
  if (!isRecord(usage)) return undefined;
  const charged = usage['cost'];
  if (typeof charged !== 'number' || !Number.isFinite(charged) || charged < 0) return undefined;
  const upstream = usage['is_byok'] === true ? recordAt(usage, 'cost_details')?.['upstream_inference_cost'] : undefined;
  return reportedUsd(charged + (reportedUsd(upstream) ?? 0));
}
