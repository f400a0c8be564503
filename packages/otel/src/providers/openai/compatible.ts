import { isEventStream } from '../body-kind.js';
import { guardReader } from '../guarded-reader.js';
import { JsonResponseReader } from '../json-reader.js';
import type { CatalogEntry, ProviderAdapter, ProviderCall, RequestFacts, ResponseReader } from '../types.js';
import { matchOpenAiCall } from './calls.js';
import { ChatStreamReader } from './chat-stream.js';
import { type OpenAiDialect, openAiDialect } from './dialect.js';
import { openAiJsonShape, openAiJsonShapes } from './json-response.js';
import { readOpenAiRequest, readOpenAiRequestText } from './request.js';
import { ResponsesStreamReader } from './responses-stream.js';

/** An OpenAI API a compatible provider serves. */
export type CompatibleApi = 'chat' | 'responses' | 'embeddings' | 'completions';

const CATALOG_ROWS: Readonly<Record<CompatibleApi, readonly [operation: string, path: string, streaming: CatalogEntry['streaming']]>> = {
  chat: ['Chat Completions', '/chat/completions', 'SSE'],
  responses: ['Responses', '/responses', 'SSE'],
  embeddings: ['Embeddings', '/embeddings', 'no'],
  completions: ['Completions', '/completions', 'SSE'],
};

/**
 * The README rows of the OpenAI APIs a provider serves under `prefix`.
 *
 * @example
 * compatibleCatalog('/openai/v1', ['chat', 'responses'])
 * // [{ operation: 'Chat Completions', endpoint: 'POST /openai/v1/chat/completions', streaming: 'SSE' }, …]
 */
export function compatibleCatalog(prefix: string, apis: readonly CompatibleApi[]): CatalogEntry[] {
  return apis.map((api) => {
    const [operation, path, streaming] = CATALOG_ROWS[api];
    return { operation, endpoint: `POST ${prefix}${path}`, streaming };
  });
}

/** What sets one OpenAI-compatible provider apart; everything else is OpenAI's. */
export interface CompatibleProvider {
  /** `gen_ai.provider.name`, also its name in `COSTCTL_ENDPOINTS`. */
  name: string;
  /** Its provider id in `@pydantic/genai-prices`. */
  pricingId: string;
  hosts: readonly string[];
  catalog: readonly CatalogEntry[];
  /** Its error body, for calls costctl blocks. */
  errorBody(type: string, message: string): unknown;
  /** How its usage differs from OpenAI's; OpenAI's own by default. */
  dialect?: OpenAiDialect;
  /** Which paths are billable calls; by default OpenAI's paths under any prefix. */
  matchCall?(method: string, path: string): ProviderCall | undefined;
  pricingAlias?(model: string): string | undefined;
}

/**
 * An adapter for a provider that speaks OpenAI's wire format (Chat
 * Completions, Responses, Embeddings, legacy Completions, JSON and SSE),
 * read by the OpenAI readers in the provider's dialect.
 *
 * @example
 * const together = openAiCompatibleAdapter({
 *   name: 'together', pricingId: 'together', hosts: ['api.together.xyz'], catalog, errorBody: openAiErrorBody,
 * });
 */
export function openAiCompatibleAdapter(provider: CompatibleProvider): ProviderAdapter {
  const dialect = provider.dialect ?? openAiDialect;
  const shapes = openAiJsonShapes(dialect);
  const createReader = (request: RequestFacts, contentType: string | undefined): ResponseReader => {
    if (!isEventStream(contentType, request.stream)) return new JsonResponseReader(openAiJsonShape(request.api, shapes));
    return request.api === 'responses' ? new ResponsesStreamReader(dialect) : new ChatStreamReader(dialect);
  };
  const adapter: ProviderAdapter = {
    name: provider.name,
    pricingId: provider.pricingId,
    hosts: Object.freeze([...provider.hosts]),
    catalog: Object.freeze([...provider.catalog]),
    matchCall: provider.matchCall ?? matchOpenAiCall,
    readRequest: readOpenAiRequest,
    readRequestText: readOpenAiRequestText,
    createReader: (request, contentType) => guardReader(createReader(request, contentType)),
    errorBody: provider.errorBody,
  };
  if (provider.pricingAlias !== undefined) adapter.pricingAlias = provider.pricingAlias;
  return Object.freeze(adapter);
}

/**
 * OpenAI's error body, `{"error":{message,type,param,code}}`, which most
 * compatible providers copy.
 *
 * @example
 * openAiErrorBody('costctl_gate_tripped', 'the emergency gate is tripped')
 */
export function openAiErrorBody(type: string, message: string): unknown {
  return { error: { message, type, param: null, code: type } };
}

const openAiShapes = openAiJsonShapes(openAiDialect);

/**
 * The reader of an OpenAI Chat Completions answer, JSON or SSE, in OpenAI's
 * own dialect: for providers whose native API is another but that also
 * serve OpenAI's (Vertex AI's and Bedrock's OpenAI-compatible endpoints).
 *
 * @example
 * const reader = openAiChatReader(request, 'text/event-stream');
 */
export function openAiChatReader(request: RequestFacts, contentType: string | undefined): ResponseReader {
  return isEventStream(contentType, request.stream)
    ? new ChatStreamReader(openAiDialect)
    : new JsonResponseReader(openAiJsonShape('chat_completions', openAiShapes));
}
