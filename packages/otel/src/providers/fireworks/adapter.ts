import { compatibleCatalog, openAiCompatibleAdapter } from '../openai/compatible.js';
import { withUnitCalls } from '../unit-calls.js';
import { fireworksImageCalls } from './images.js';

/**
 * Fireworks AI: OpenAI's APIs at api.fireworks.ai/inference/v1, its models
 * named `accounts/fireworks/models/…` (the price data knows them so).
 *
 * @example
 * fireworksAdapter.matchCall('POST', '/inference/v1/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 */
export const fireworksAdapter = withUnitCalls(
  openAiCompatibleAdapter({
    name: 'fireworks',
    pricingId: 'fireworks',
    hosts: ['api.fireworks.ai'],
    catalog: compatibleCatalog('/inference/v1', ['chat', 'completions', 'embeddings']),
    errorBody: (type: string, message: string) => ({ error: { object: 'error', type, message } }),
  }),
  fireworksImageCalls,
);
