import { isEventStream } from '../body-kind.js';
import { guardReader } from '../guarded-reader.js';
import { JsonResponseReader, type JsonShape } from '../json-reader.js';
import type { CallCost } from '../../model/cost.js';
import { priceWithUnits } from '../../pricing/billed-usage.js';
import type { PriceTable } from '../../pricing/price-table.js';
import type { CatalogEntry, ProviderAdapter, RequestFacts, ResponseFacts, ResponseReader } from '../types.js';
import type { JsonRecord } from '../wire-values.js';
import { matchCohereCall } from './calls.js';
import { CohereChatStreamReader } from './chat-stream.js';
import { CohereChatV1StreamReader } from './chat-v1-stream.js';
import { CohereBilledReader } from './billed-response.js';
import { readCohereRequest } from './request.js';
import { cohereChatUsage, cohereEmbedUsage, cohereRerankUsage } from './usage.js';

const CHAT: JsonShape = Object.freeze({ usage: cohereChatUsage, output: (body: JsonRecord) => body['message'], bodyKeys: Object.freeze([]) });
// v1 answers keep the usage in `meta` (billed units and tokens, as v2's `usage`), the id in `response_id`, the text in `text`.
const CHAT_V1: JsonShape = Object.freeze({
  usage: cohereChatUsage,
  output: (body: JsonRecord) => body['text'],
  keys: Object.freeze({ usage: 'meta', id: 'response_id' }),
  bodyKeys: Object.freeze([]),
});

/**
 * Cohere v2 and v1: Chat (JSON, and SSE for v2, JSON Lines for v1), Embed
 * and Rerank, priced from the billed units Cohere reports. No answer names
 * its model: the request's is priced.
 *
 * @example
 * const call = cohereAdapter.matchCall('POST', '/v2/chat');
 */
export const cohereAdapter: ProviderAdapter = Object.freeze({
  name: 'cohere',
  pricingId: 'cohere',
  hosts: Object.freeze(['api.cohere.com', 'api.cohere.ai']),
  catalog: Object.freeze<CatalogEntry[]>([
    { operation: 'Chat (v2)', endpoint: 'POST /v2/chat', streaming: 'SSE' },
    { operation: 'Embed (v2)', endpoint: 'POST /v2/embed', streaming: 'no' },
    { operation: 'Chat (v1)', endpoint: 'POST /v1/chat', streaming: 'JSON lines' },
    { operation: 'Embed (v1)', endpoint: 'POST /v1/embed', streaming: 'no' },
    { operation: 'Rerank (v2)', endpoint: 'POST /v2/rerank', streaming: 'no' },
    { operation: 'Rerank (v1)', endpoint: 'POST /v1/rerank', streaming: 'no' },
  ]),
  matchCall: matchCohereCall,
  readRequest: readCohereRequest,
  createReader: (request: RequestFacts, contentType: string | undefined): ResponseReader => guardReader(createCohereReader(request, contentType)),
  // Cohere's errors are `{"message": …}`; the type rides along for apps that look.
  errorBody: (type: string, message: string) => ({ message, type }),
  price: priceCohereUnits,
});

function createCohereReader(request: RequestFacts, contentType: string | undefined): ResponseReader {
  if (request.api === 'embed') return new CohereBilledReader(cohereEmbedUsage);
  if (request.api === 'rerank') return new CohereBilledReader(cohereRerankUsage);
  if (request.api === 'chat_v1') return isJsonLines(contentType, request.stream) ? new CohereChatV1StreamReader() : new JsonResponseReader(CHAT_V1);
  return isEventStream(contentType, request.stream) ? new CohereChatStreamReader() : new JsonResponseReader(CHAT);
}

/**
 * Calls billed in units besides tokens: embeddings of images billed as
 * `images`, reranks billed in `search_units`. The price data has no price
 * per image, nor any for Cohere's rerank models today, so they are counted,
 * and the call is unpriced unless it also had tokens — never $0. Undefined
 * for every other call.
 */
function priceCohereUnits(request: RequestFacts, response: ResponseFacts, table: PriceTable): CallCost | undefined {
  return priceWithUnits(table, 'cohere', 'cohere', response.model ?? request.model, response);
}

/** A v1 chat stream comes as `application/stream+json` (JSON Lines); without a content type, the request says. */
function isJsonLines(contentType: string | undefined, streamRequested: boolean): boolean {
  if (contentType === undefined || contentType.trim() === '') return streamRequested;
  const type = contentType.toLowerCase();
  return type.includes('stream+json') || type.includes('ndjson') || type.includes('jsonl');
}
