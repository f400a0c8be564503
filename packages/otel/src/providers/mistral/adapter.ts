import { matchOpenAiCall } from '../openai/calls.js';
import { compatibleCatalog, openAiCompatibleAdapter } from '../openai/compatible.js';
import { openAiDialectWith } from '../openai/dialect.js';
import type { ProviderCall } from '../types.js';
import { withUnitCalls } from '../unit-calls.js';
import { mistralConversationCalls } from './conversations.js';
import { mistralOcrCalls } from './ocr.js';
import { mistralChatUsage } from './usage.js';

const AGENTS_CALL: ProviderCall = Object.freeze({ operation: 'chat', api: 'chat_completions' });

/**
 * Mistral: Chat Completions, FIM completions, agent completions and
 * Embeddings at api.mistral.ai, in OpenAI's wire format; streams always end
 * with usage in their last chunk. OCR is billed per page (`ocr.ts`); the
 * Conversations API has a wire format of its own (`conversations.ts`).
 *
 * @example
 * mistralAdapter.matchCall('POST', '/v1/fim/completions') // { operation: 'text_completion', api: 'completions' }
 */
export const mistralAdapter = withUnitCalls(
  withUnitCalls(
    openAiCompatibleAdapter({
      name: 'mistral_ai',
      pricingId: 'mistral',
      hosts: ['api.mistral.ai'],
      catalog: [
        ...compatibleCatalog('/v1', ['chat', 'embeddings']),
        { operation: 'FIM Completions', endpoint: 'POST /v1/fim/completions', streaming: 'SSE' },
        { operation: 'Agents Completions', endpoint: 'POST /v1/agents/completions', streaming: 'SSE' },
      ],
      dialect: openAiDialectWith({ chatUsage: mistralChatUsage }),
      // An agent answers with a chat completion, though its path ends like a legacy completion's.
      matchCall: (method, path) => (method.toUpperCase() === 'POST' && /\/agents\/completions\/?$/.test(path) ? AGENTS_CALL : matchOpenAiCall(method, path)),
      errorBody: (type: string, message: string) => ({ object: 'error', message, type, param: null, code: null }),
    }),
    mistralOcrCalls,
  ),
  mistralConversationCalls,
);
