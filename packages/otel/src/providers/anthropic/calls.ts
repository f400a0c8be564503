import type { OperationName } from '../types.js';

/** The one billable Anthropic call costctl reads. */
export interface AnthropicCall {
  operation: OperationName;
  api: 'messages';
}

const MESSAGES: AnthropicCall = Object.freeze({ operation: 'chat', api: 'messages' });

/**
 * `POST …/messages` (any prefix: custom base URLs are allowed); undefined for
 * everything else, `…/messages/count_tokens` and batches included.
 *
 * @example
 * matchAnthropicCall('POST', '/v1/messages') // { operation: 'chat', api: 'messages' }
 * matchAnthropicCall('POST', '/v1/messages/count_tokens') // undefined
 */
export function matchAnthropicCall(method: string, path: string): AnthropicCall | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.endsWith('/messages') ? MESSAGES : undefined;
}
