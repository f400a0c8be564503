/** Which model name a response reports. */
import type { ProviderApi } from './api.js';
import { splitModel } from './scenario.js';

/** OpenAI answers an alias with the dated snapshot it resolved to. */
const OPENAI_SNAPSHOTS: Readonly<Record<string, string>> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
  'o3-mini': 'o3-mini-2025-01-31',
  'o4-mini': 'o4-mini-2025-04-16',
};

/**
 * The `model` a response reports for the model a request asked for: the
 * scenario suffix is dropped, then Chat Completions and Responses map the
 * aliases above to their dated snapshot like the real API
 * (`gpt-4o-mini` → `gpt-4o-mini-2024-07-18`). Embeddings, Anthropic and any
 * unknown model answer with the name as asked.
 *
 * @example
 * responseModel('openai.chat', 'gpt-4o-mini+cut'); // 'gpt-4o-mini-2024-07-18'
 * responseModel('anthropic.messages', 'my-model'); // 'my-model'
 */
export function responseModel(api: ProviderApi, requested: string): string {
  const { model } = splitModel(requested);
  if (api !== 'openai.chat' && api !== 'openai.responses') return model;
  return Object.hasOwn(OPENAI_SNAPSHOTS, model) ? (OPENAI_SNAPSHOTS[model] as string) : model;
}
