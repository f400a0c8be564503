import { isEventStream } from '../body-kind.js';
import { guardReader } from '../guarded-reader.js';
import { JsonResponseReader } from '../json-reader.js';
import type { CatalogEntry, ProviderAdapter, ProviderCall, RequestFacts, ResponseReader } from '../types.js';
import { matchOpenAiCall } from './calls.js';
import { ChatStreamReader } from './chat-stream.js';
import { openAiErrorBody } from './compatible.js';
import { openAiJsonShape } from './json-response.js';
import { createOpenAiMediaReader, priceOpenAiMedia } from './media.js';
import { isOpenAiMediaApi, matchOpenAiMediaCall, readOpenAiMediaRequest } from './media-calls.js';
import { readOpenAiRequest, readOpenAiRequestText } from './request.js';
import { ResponsesStreamReader } from './responses-stream.js';

/**
 * OpenAI: Chat Completions, Responses, Embeddings and legacy Completions, as
 * JSON or SSE; images, transcriptions, speech and batch creation (`media.ts`).
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
    { operation: 'Image generations', endpoint: 'POST /v1/images/generations', streaming: 'SSE' },
    { operation: 'Image edits', endpoint: 'POST /v1/images/edits', streaming: 'SSE' },
    { operation: 'Image variations', endpoint: 'POST /v1/images/variations', streaming: 'no' },
    { operation: 'Transcriptions', endpoint: 'POST /v1/audio/transcriptions', streaming: 'SSE' },
    { operation: 'Translations', endpoint: 'POST /v1/audio/translations', streaming: 'no' },
    { operation: 'Speech', endpoint: 'POST /v1/audio/speech', streaming: 'SSE' },
    { operation: 'Batch creation (billed later)', endpoint: 'POST /v1/batches', streaming: 'no' },
  ]),
  matchCall: (method: string, path: string) => matchOpenAiCall(method, path) ?? matchOpenAiMediaCall(method, path),
  readRequest: (call: ProviderCall, body: unknown, bodyLength: number): RequestFacts =>
    (isOpenAiMediaApi(call.api) ? readOpenAiMediaRequest : readOpenAiRequest)(call, body, bodyLength),
  readRequestText: (call: ProviderCall, text: string) => (isOpenAiMediaApi(call.api) ? undefined : readOpenAiRequestText(call, text)),
  createReader: (request: RequestFacts, contentType: string | undefined): ResponseReader => guardReader(createOpenAiReader(request, contentType)),
  errorBody: openAiErrorBody,
  price: priceOpenAiMedia,
});

function createOpenAiReader(request: RequestFacts, contentType: string | undefined): ResponseReader {
  if (isOpenAiMediaApi(request.api)) return createOpenAiMediaReader(request, contentType);
  if (!isEventStream(contentType, request.stream)) return new JsonResponseReader(openAiJsonShape(request.api));
  return request.api === 'responses' ? new ResponsesStreamReader() : new ChatStreamReader();
}
