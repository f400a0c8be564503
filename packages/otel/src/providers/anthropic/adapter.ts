import { isEventStream } from '../body-kind.js';
import { guardReader } from '../guarded-reader.js';
import { JsonResponseReader } from '../json-reader.js';
import type { CatalogEntry, ProviderAdapter, RequestFacts, ResponseReader } from '../types.js';
import { matchAnthropicCall } from './calls.js';
import { messagesJsonShape } from './json-response.js';
import { readAnthropicRequest, readAnthropicRequestText } from './request.js';
import { MessagesStreamReader } from './stream.js';

/**
 * Anthropic: the Messages API, as JSON or SSE.
 *
 * @example
 * const call = anthropicAdapter.matchCall('POST', '/v1/messages');
 */
export const anthropicAdapter: ProviderAdapter = Object.freeze({
  name: 'anthropic',
  pricingId: 'anthropic',
  hosts: Object.freeze(['api.anthropic.com']),
  catalog: Object.freeze<CatalogEntry[]>([{ operation: 'Messages', endpoint: 'POST /v1/messages', streaming: 'SSE' }]),
  matchCall: matchAnthropicCall,
  readRequest: readAnthropicRequest,
  readRequestText: readAnthropicRequestText,
  createReader: (request: RequestFacts, contentType: string | undefined): ResponseReader =>
    guardReader(isEventStream(contentType, request.stream) ? new MessagesStreamReader() : new JsonResponseReader(messagesJsonShape)),
  errorBody: (type: string, message: string) => ({ type: 'error', error: { type, message } }),
});
