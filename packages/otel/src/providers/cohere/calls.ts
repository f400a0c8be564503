import { callBySuffix } from '../call-suffix.js';
import type { ProviderCall } from '../types.js';

/** The Cohere wire formats costctl reads. */
export type CohereApi = 'chat' | 'chat_v1' | 'embed' | 'rerank';

// Suffixes, not full paths: a proxy or `COSTCTL_ENDPOINTS` base URL puts any prefix before them.
const CALLS: readonly (readonly [string, ProviderCall])[] = [
  ['/v2/chat', Object.freeze({ operation: 'chat', api: 'chat' })],
  ['/v2/embed', Object.freeze({ operation: 'embeddings', api: 'embed' })],
  // v1, which the cohere-ai client's `CohereClient` (not `CohereClientV2`) calls: its own chat format, v2's embed answer.
  ['/v1/chat', Object.freeze({ operation: 'chat', api: 'chat_v1' })],
  ['/v1/embed', Object.freeze({ operation: 'embeddings', api: 'embed' })],
  // Billed in search units, not tokens; the same answer in v1 and v2.
  ['/v2/rerank', Object.freeze({ operation: 'rerank', api: 'rerank' })],
  ['/v1/rerank', Object.freeze({ operation: 'rerank', api: 'rerank' })],
];

/**
 * The billable Cohere call a request is, by the end of its path: v2 and
 * v1 chat, embed and rerank; undefined for everything else (datasets, models…).
 *
 * @example
 * matchCohereCall('POST', '/v2/chat') // { operation: 'chat', api: 'chat' }
 * matchCohereCall('POST', '/v1/chat') // { operation: 'chat', api: 'chat_v1' }
 * matchCohereCall('GET', '/v1/models') // undefined
 */
export function matchCohereCall(method: string, path: string): ProviderCall | undefined {
  return callBySuffix(method, path, CALLS);
}
