import { compatibleCatalog, openAiCompatibleAdapter, openAiErrorBody } from '../openai/compatible.js';

// Azure writes OpenAI's `gpt-3.5` as `gpt-35` in its model names.
const AZURE_GPT35 = /^gpt-35-/;
// A version suffix the price data does not know: `-2025-08-07`, or Azure's `-0125`.
const VERSION_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{4})$/;

/**
 * Azure OpenAI: OpenAI's APIs on per-resource hosts, at deployment paths
 * (`/openai/deployments/{deployment}/chat/completions?api-version=…`) and at
 * `/openai/v1/…`. A deployment is a name its owner chose, not a model, so a
 * call is priced from the model its response reports, under Azure's own
 * prices in `@pydantic/genai-prices` (which fall back to OpenAI's).
 *
 * @example
 * azureAdapter.matchCall('POST', '/openai/deployments/chat-prod/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 */
export const azureAdapter = openAiCompatibleAdapter({
  name: 'azure.ai.openai',
  pricingId: 'azure',
  hosts: ['*.openai.azure.com', '*.cognitiveservices.azure.com', '*.services.ai.azure.com'],
  catalog: [
    ...compatibleCatalog('/openai/deployments/{deployment}', ['chat', 'embeddings', 'completions']),
    ...compatibleCatalog('/openai/v1', ['chat', 'responses', 'embeddings']),
  ],
  errorBody: openAiErrorBody,
  pricingAlias: azurePricingAlias,
});

/**
 * The name the price data knows an Azure model by, when Azure reports it
 * otherwise: `gpt-35-turbo-0125` → `gpt-3.5-turbo`, `gpt-5-chat-2025-08-07`
 * → `gpt-5-chat`; undefined when there is nothing to change.
 *
 * @example
 * azurePricingAlias('gpt-35-turbo-instruct-0914') // 'gpt-3.5-turbo-instruct'
 */
export function azurePricingAlias(model: string): string | undefined {
  const alias = model.replace(AZURE_GPT35, 'gpt-3.5-').replace(VERSION_SUFFIX, '');
  return alias === model ? undefined : alias;
}
