import { azureAdapter } from './azure/adapter.js';
import { deepseekAdapter } from './deepseek/adapter.js';
import { fireworksAdapter } from './fireworks/adapter.js';
import { groqAdapter } from './groq/adapter.js';
import { mistralAdapter } from './mistral/adapter.js';
import { openrouterAdapter } from './openrouter/adapter.js';
import { togetherAdapter } from './together/adapter.js';
import type { ProviderAdapter } from './types.js';
import { xaiAdapter } from './xai/adapter.js';

/**
 * The providers that speak OpenAI's wire format, each read by the OpenAI
 * readers in its own dialect (see `openai/compatible.ts`).
 *
 * @example
 * compatibleAdapters.map((adapter) => adapter.name) // ['azure.ai.openai', 'mistral_ai', …]
 */
export const compatibleAdapters: readonly ProviderAdapter[] = Object.freeze([
  azureAdapter,
  mistralAdapter,
  groqAdapter,
  deepseekAdapter,
  xaiAdapter,
  openrouterAdapter,
  togetherAdapter,
  fireworksAdapter,
]);
