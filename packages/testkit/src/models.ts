/** Which model name a response reports. */
import type { ProviderApi } from './api.js';
import type { Flavour } from './flavour.js';
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

/** Azure answers with its own names: OpenAI's snapshots, `gpt-35` for `gpt-3.5`, chat models with their version. */
const AZURE_SNAPSHOTS: Readonly<Record<string, string>> = {
  ...OPENAI_SNAPSHOTS,
  'gpt-4o': 'gpt-4o-2024-11-20',
  'gpt-5-chat': 'gpt-5-chat-2025-08-07',
  'gpt-35-turbo': 'gpt-35-turbo-0125',
};

/** xAI answers an alias with the model that served it. */
const XAI_MODELS: Readonly<Record<string, string>> = {
  'grok-4': 'grok-4-0709',
  'grok-4-fast': 'grok-4-fast-reasoning',
};

const SNAPSHOTS_BY_FLAVOUR: Partial<Record<Flavour, Readonly<Record<string, string>>>> = {
  openai: OPENAI_SNAPSHOTS,
  azure: AZURE_SNAPSHOTS,
  xai: XAI_MODELS,
};

/**
 * The `model` a response reports for the model a request asked for: the
 * scenario suffix is dropped, then Chat Completions and Responses map the
 * aliases above to their dated snapshot like the real API
 * (`gpt-4o-mini` → `gpt-4o-mini-2024-07-18`). Embeddings, Anthropic and any
 * unknown model answer with the name as asked. The Azure and xAI flavours
 * answer with their own names; the other flavours with the name as asked.
 *
 * @example
 * responseModel('openai.chat', 'gpt-4o-mini+cut'); // 'gpt-4o-mini-2024-07-18'
 * responseModel('anthropic.messages', 'my-model'); // 'my-model'
 * responseModel('openai.chat', 'gpt-5-chat', 'azure'); // 'gpt-5-chat-2025-08-07'
 */
export function responseModel(api: ProviderApi, requested: string, flavour: Flavour = 'openai'): string {
  const { model } = splitModel(requested);
  const snapshots = SNAPSHOTS_BY_FLAVOUR[flavour];
  if ((api !== 'openai.chat' && api !== 'openai.responses') || snapshots === undefined) return model;
  return Object.hasOwn(snapshots, model) ? (snapshots[model] as string) : model;
}
