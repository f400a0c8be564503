import { isEventStream } from '../body-kind.js';
import { guardReader } from '../guarded-reader.js';
import { JsonResponseReader } from '../json-reader.js';
import type { CatalogEntry, ProviderAdapter, RequestFacts, ResponseReader } from '../types.js';
import { matchOpenAiCall } from './calls.js';
import { ChatStreamReader } from './chat-stream.js';
import { openAiJsonShape } from './json-response.js';
import { readOpenAiRequest } from './request.js';
import { ResponsesStreamReader } from './responses-stream.js';

/**
 * OpenAI: Chat Completions, Responses, Embeddings and legacy Completions, as
 * JSON or SSE.
 *
 * @example
 * const call = openaiAdapter.matchCall('POST', '/v1/chat/completions');
 */
export const openaiAdapter: ProviderAdapter = Object.freeze({
  name: 'openai',
  pricingId: 'openai',
  hosts: Object.freeze(['api.openai.com']),
  catalog: Object.freeze<CatalogEntry[]>([
    { operation: 'Chat Completions', endpoint: 'POST /v1/chat/completions', streaming: 'SSE' },
    { operation: 'Responses', endpoint: 'POST /v1/responses', streaming: 'SSE' },
    { operation: 'Embeddings', endpoint: 'POST /v1/embeddings', streaming: 'no' },
    { operation: 'Completions (legacy)', endpoint: 'POST /v1/completions', streaming: 'SSE' },
  ]),
  matchCall: matchOpenAiCall,
  readRequest: readOpenAiRequest,
  createReader: (request: RequestFacts, contentType: string | undefined): ResponseReader =>
    guardReader(createOpenAiReader(request, contentType)),
  errorBody: (type: string, message: string) => ({ error: { message, type, param: null, code: type } }),
});

function createOpenAiReader(request: RequestFacts, contentType: string | undefined): ResponseReader {
  if (!isEventStream(contentType, request.stream)) return new JsonResponseReader(openAiJsonShape(request.api));
  return request.api === 'responses' ? new ResponsesStreamReader() : new ChatStreamReader();
}
