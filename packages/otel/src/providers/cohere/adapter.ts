import { isEventStream } from '../body-kind.js';
import { guardReader } from '../guarded-reader.js';
import { JsonResponseReader, type JsonShape } from '../json-reader.js';
import type { CallCost } from '../../pricing/price-call.js';
import { priceBilledUsage } from '../../pricing/billed-usage.js';
import type { PriceTable } from '../../pricing/price-table.js';
import type { CatalogEntry, ProviderAdapter, RequestFacts, ResponseFacts, ResponseReader } from '../types.js';
import type { JsonRecord } from '../wire-values.js';
import { matchCohereCall } from './calls.js';
import { CohereChatStreamReader } from './chat-stream.js';
import { CohereEmbedReader } from './embed-response.js';
import { readCohereRequest } from './request.js';
import { cohereChatUsage } from './usage.js';

const CHAT: JsonShape = Object.freeze({ usage: cohereChatUsage, output: (body: JsonRecord) => body['message'] });

/**
 * Cohere v2: Chat (JSON and SSE) and Embed, priced from the billed units
 * Cohere reports. Neither answer names its model: the request's is priced.
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
  ]),
  matchCall: matchCohereCall,
  readRequest: readCohereRequest,
  createReader: (request: RequestFacts, contentType: string | undefined): ResponseReader => guardReader(createCohereReader(request, contentType)),
  // Cohere's errors are `{"message": …}`; the type rides along for apps that look.
  errorBody: (type: string, message: string) => ({ message, type }),
  price: priceCohereImages,
});

function createCohereReader(request: RequestFacts, contentType: string | undefined): ResponseReader {
  if (request.api === 'embed') return new CohereEmbedReader();
  return isEventStream(contentType, request.stream) ? new CohereChatStreamReader() : new JsonResponseReader(CHAT);
}

/**
 * Embeddings of images billed as `images` rather than image tokens: the
 * price data has no price per image, so they are counted, and the call is
 * unpriced unless it also had tokens — never $0. Undefined for every other call.
 */
function priceCohereImages(request: RequestFacts, response: ResponseFacts, table: PriceTable): CallCost | undefined {
  const units = response.units;
  const model = response.model ?? request.model;
  if (units === undefined || model === undefined || response.usage === undefined) return undefined;
  const usage = response.usage;
  const price = priceBilledUsage(table, 'cohere', 'cohere', model, { usage, mediaTokens: response.mediaTokens, units });
  if ('unpriced' in price) return { usage, model, cost: undefined, unpricedReason: price.unpriced, units };
  return { usage, model, cost: { usd: price.usd, source: 'price_table', pricedModel: price.model }, unpricedReason: undefined, units };
}
