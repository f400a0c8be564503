import type { ProviderCall } from './types.js';

/**
 * The billable call a POST is, by the end of its path (a trailing `/`
 * ignored): suffixes, not full paths, since a proxy or custom base URL puts
 * any prefix before them. The first suffix that matches wins; undefined for
 * every other method and path.
 *
 * @example
 * callBySuffix('POST', '/proxy/v2/chat', [['/v2/chat', { operation: 'chat', api: 'chat' }]]) // { operation: 'chat', api: 'chat' }
 */
export function callBySuffix(method: string, path: string, calls: readonly (readonly [string, ProviderCall])[]): ProviderCall | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  for (const [suffix, call] of calls) {
    if (trimmed.endsWith(suffix)) return call;
  }
  return undefined;
}
