import type { OperationName } from '../types.js';

/** The OpenAI wire formats costctl reads. */
export type OpenAiApi = 'chat_completions' | 'responses' | 'embeddings' | 'completions';

/** A billable OpenAI call. */
export interface OpenAiCall {
  operation: OperationName;
  api: OpenAiApi;
}

// Suffixes, not full paths: custom base URLs put any prefix before them. `/chat/completions` before `/completions`.
const CALLS: readonly (readonly [string, OpenAiCall])[] = [
  ['/chat/completions', Object.freeze({ operation: 'chat', api: 'chat_completions' })],
  ['/responses', Object.freeze({ operation: 'chat', api: 'responses' })],
  ['/embeddings', Object.freeze({ operation: 'embeddings', api: 'embeddings' })],
  ['/completions', Object.freeze({ operation: 'text_completion', api: 'completions' })],
];

/**
 * The billable OpenAI call a request is, by the end of its path; undefined for
 * everything else (listing models, files, retrieving a stored response…).
 *
 * @example
 * matchOpenAiCall('POST', '/proxy/openai/v1/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 * matchOpenAiCall('GET', '/v1/models') // undefined
 */
export function matchOpenAiCall(method: string, path: string): OpenAiCall | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  for (const [suffix, call] of CALLS) {
    if (trimmed.endsWith(suffix)) return call;
  }
  return undefined;
}
