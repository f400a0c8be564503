import { messagesJsonShape } from '../anthropic/json-response.js';
import { MessagesStreamReader } from '../anthropic/stream.js';
import { isEventStream } from '../body-kind.js';
import { guardReader } from '../guarded-reader.js';
import { JsonResponseReader } from '../json-reader.js';
import { openAiChatReader } from '../openai/compatible.js';
import type { CallCost } from '../../model/cost.js';
import { priceWithUnits } from '../../pricing/billed-usage.js';
import type { PriceTable } from '../../pricing/price-table.js';
import type { CatalogEntry, ProviderAdapter, RequestFacts, ResponseFacts, ResponseReader } from '../types.js';
import { matchGeminiCall, matchVertexCall } from './calls.js';
import { geminiJsonShape, predictEmbeddingsShape } from './json-response.js';
import { readGoogleRequest } from './request.js';
import { PredictImagesReader } from './predict-images.js';
import { GeminiArrayReader, GeminiSseReader } from './stream.js';

/**
 * Google's error shape (`google.rpc.Status` as JSON): the status name goes
 * where other providers put the error type.
 */
function googleErrorBody(type: string, message: string): unknown {
  return { error: { code: 402, message, status: type } };
}

/** The reader for a Gemini answer or, on Vertex AI, an Anthropic Messages or OpenAI Chat Completions one. */
function googleReader(request: RequestFacts, contentType: string | undefined): ResponseReader {
  switch (request.api) {
    case 'stream_generate_content':
      // `alt=sse` (what the SDKs ask for) answers SSE; without it, the chunks come as one JSON array.
      return guardReader(isEventStream(contentType, true) ? new GeminiSseReader() : new GeminiArrayReader());
    case 'messages':
    case 'messages_stream':
      return guardReader(isEventStream(contentType, request.stream) ? new MessagesStreamReader() : new JsonResponseReader(messagesJsonShape));
    case 'predict_embeddings':
      return guardReader(new JsonResponseReader(predictEmbeddingsShape));
    case 'predict_images':
      return guardReader(new PredictImagesReader());
    case 'chat_completions':
      return guardReader(openAiChatReader(request, contentType));
    default:
      return guardReader(new JsonResponseReader(geminiJsonShape));
  }
}

/**
 * The Gemini API (Google AI Studio keys): generateContent, its stream, and
 * embeddings, at `generativelanguage.googleapis.com`. The model is named in
 * the path; prices are the `google` provider's in `@pydantic/genai-prices`.
 *
 * @example
 * geminiAdapter.matchCall('POST', '/v1beta/models/gemini-2.5-flash:generateContent')
 * // { operation: 'generate_content', api: 'generate_content', model: 'gemini-2.5-flash' }
 */
export const geminiAdapter: ProviderAdapter = Object.freeze({
  name: 'gcp.gemini',
  pricingId: 'google',
  hosts: Object.freeze(['generativelanguage.googleapis.com']),
  catalog: Object.freeze<CatalogEntry[]>([
    { operation: 'generateContent', endpoint: 'POST /v1beta/models/{model}:generateContent', streaming: 'no' },
    { operation: 'streamGenerateContent', endpoint: 'POST /v1beta/models/{model}:streamGenerateContent', streaming: 'SSE' },
    { operation: 'embedContent', endpoint: 'POST /v1beta/models/{model}:embedContent', streaming: 'no' },
    { operation: 'batchEmbedContents', endpoint: 'POST /v1beta/models/{model}:batchEmbedContents', streaming: 'no' },
    { operation: 'batchGenerateContent (billed later)', endpoint: 'POST /v1beta/models/{model}:batchGenerateContent', streaming: 'no' },
  ]),
  matchCall: matchGeminiCall,
  readRequest: readGoogleRequest,
  createReader: googleReader,
  errorBody: googleErrorBody,
  price: priceBatch,
});

/**
 * A Batch Mode job: what it costs is billed when its requests run, out of
 * sight of this call (at half the standard price), so the call is counted
 * `billed_later` — never estimated from its request, never $0.
 */
function priceBatch(request: RequestFacts, response: ResponseFacts): CallCost | undefined {
  if (request.api !== 'batch_generate_content') return undefined;
  return { usage: NO_TOKENS, model: response.model ?? request.model, cost: undefined, unpricedReason: 'billed_later' };
}

const NO_TOKENS = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

/**
 * Vertex AI: Gemini on regional (`us-central1-aiplatform.googleapis.com`),
 * multi-regional and global hosts, and Anthropic's Claude models through
 * `rawPredict` / `streamRawPredict` in Anthropic's own wire format. Both are
 * priced under `google` in `@pydantic/genai-prices`, which lists Vertex's
 * Claude prices and falls back to Anthropic's.
 *
 * @example
 * vertexAdapter.matchCall('POST', '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent')
 * // { operation: 'generate_content', api: 'generate_content', model: 'gemini-2.5-pro' }
 */
export const vertexAdapter: ProviderAdapter = Object.freeze({
  name: 'gcp.vertex_ai',
  pricingId: 'google',
  hosts: Object.freeze(['aiplatform.googleapis.com', '*-aiplatform.googleapis.com', 'aiplatform.*.rep.googleapis.com']),
  catalog: Object.freeze<CatalogEntry[]>([
    {
      operation: 'generateContent',
      endpoint: 'POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent',
      streaming: 'no',
    },
    {
      operation: 'streamGenerateContent',
      endpoint: 'POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:streamGenerateContent',
      streaming: 'SSE',
    },
    { operation: 'embedContent', endpoint: 'POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:embedContent', streaming: 'no' },
    {
      operation: 'predict (text embeddings, Imagen)',
      endpoint: 'POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predict',
      streaming: 'no',
    },
    {
      operation: 'Claude rawPredict',
      endpoint: 'POST /v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:rawPredict',
      streaming: 'no',
    },
    {
      operation: 'Claude streamRawPredict',
      endpoint: 'POST /v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:streamRawPredict',
      streaming: 'SSE',
    },
    {
      operation: 'Chat Completions (OpenAI-compatible)',
      endpoint: 'POST /v1/projects/{project}/locations/{location}/endpoints/openapi/chat/completions',
      streaming: 'SSE',
    },
  ]),
  matchCall: matchVertexCall,
  readRequest: readGoogleRequest,
  createReader: googleReader,
  errorBody: googleErrorBody,
  pricingAlias: vertexPricingAlias,
  price: priceImages,
});

/**
 * Imagen's calls, billed per image: counted as `images`; the price data has
 * no price per image (nor Imagen's models), so each is unpriced — never $0.
 * Undefined for every other call (priced from its tokens).
 */
function priceImages(request: RequestFacts, response: ResponseFacts, table: PriceTable): CallCost | undefined {
  return request.api === 'predict_images' ? priceWithUnits(table, 'gcp.vertex_ai', 'google', request.model, response) : undefined;
}

/**
 * The name the price data knows a model by, for the publisher-qualified
 * names of Vertex AI's OpenAI-compatible endpoint: `google/gemini-2.0-flash-001`
 * → `gemini-2.0-flash-001`; undefined when there is nothing to change.
 *
 * @example
 * vertexPricingAlias('google/gemini-2.5-flash') // 'gemini-2.5-flash'
 */
export function vertexPricingAlias(model: string): string | undefined {
  return model.startsWith('google/') ? model.slice('google/'.length) : undefined;
}
