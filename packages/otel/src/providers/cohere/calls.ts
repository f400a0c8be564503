import { callBySuffix } from '../call-suffix.js';
import type { ProviderCall } from '../types.js';

/** The Cohere wire formats costctl reads. */
export type CohereApi = 'chat' | 'embed';

// Suffixes, not full paths: a proxy or `COSTCTL_ENDPOINTS` base URL puts any prefix before them.
const CALLS: readonly (readonly [string, ProviderCall])[] = [
  ['/v2/chat', Object.freeze({ operation: 'chat', api: 'chat' })],
  ['/v2/embed', Object.freeze({ operation: 'embeddings', api: 'embed' })],
];

/**
 * The billable Cohere v2 call a request is, by the end of its path;
 * undefined for everything else (v1 endpoints, rerank, datasets, models…).
 *
 * @example
 * matchCohereCall('POST', '/v2/chat') // { operation: 'chat', api: 'chat' }
 * matchCohereCall('GET', '/v1/models') // undefined
 */
export function matchCohereCall(method: string, path: string): ProviderCall | undefined {
  return callBySuffix(method, path, CALLS);
}
