/**
 * OpenAI's image, audio and batch calls: the reader for each answer, and the
 * price of each call from tokens (with their image and audio parts), seconds
 * of audio or characters, as the price data prices the model.
 */
import { isEventStream } from '../body-kind.js';
import type { CallCost, UnpricedReason } from '../../model/cost.js';
import { priceBilledUsage } from '../../pricing/billed-usage.js';
import type { PriceTable } from '../../pricing/price-table.js';
import { tokenUsage } from '../token-usage.js';
import type { BilledUnits, RequestFacts, ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import type { JsonRecord } from '../wire-values.js';
import { isOpenAiMediaApi } from './media-calls.js';
import { MAX_IMAGE_BYTES, MediaJsonReader, type MediaJsonShape, MediaStreamReader, NoUsageReader } from './media-readers.js';
import { imagesUsage, speechUsage, transcriptionUsage } from './media-usage.js';

const IMAGES: MediaJsonShape = Object.freeze({
  usage: (body: JsonRecord) => imagesUsage(body['usage']),
  tailUsage: imagesUsage,
  units: (body: JsonRecord) => (Array.isArray(body['data']) ? { images: body['data'].length } : undefined),
});

const TRANSCRIPTION: MediaJsonShape = Object.freeze({
  usage: transcriptionUsage,
  tailUsage: (usage: unknown) => transcriptionUsage({ usage }),
});

// A batch object says what the batch will do, never what it cost: that is billed when it has run.
const BATCH: MediaJsonShape = Object.freeze({ usage: () => undefined, tailUsage: () => undefined });

const IMAGE_FINALS: ReadonlySet<string> = new Set(['image_generation.completed', 'image_edit.completed']);
const TRANSCRIPT_FINALS: ReadonlySet<string> = new Set(['transcript.text.done']);
const SPEECH_FINALS: ReadonlySet<string> = new Set(['speech.audio.done']);

/**
 * The reader of an image, audio or batch answer: JSON, an SSE stream whose
 * final event carries usage, or audio and plain text, which carry none.
 *
 * @example
 * createOpenAiMediaReader(request, 'text/event-stream') // reads `speech.audio.done` for a speech stream
 */
export function createOpenAiMediaReader(request: RequestFacts, contentType: string | undefined): ResponseReader {
  const stream = isEventStream(contentType, request.stream);
  switch (request.api) {
    case 'images':
      return stream
        ? new MediaStreamReader(IMAGE_FINALS, (event) => imagesUsage(event['usage']), MAX_IMAGE_BYTES)
        : new MediaJsonReader(IMAGES, MAX_IMAGE_BYTES);
    case 'transcriptions':
      return stream ? new MediaStreamReader(TRANSCRIPT_FINALS, transcriptionUsage) : new MediaJsonReader(TRANSCRIPTION);
    case 'speech':
      return stream ? new MediaStreamReader(SPEECH_FINALS, (event) => speechUsage(event['usage'])) : new NoUsageReader();
    default:
      return new MediaJsonReader(BATCH);
  }
}

const NO_TOKENS: TokenUsage = Object.freeze(tokenUsage({ input: 0, output: 0 }));

/**
 * The cost of an image, audio or batch call; undefined for any other call
 * (priced from its tokens as usual). Never an estimate: an answer of a
 * model priced per token that carried no usage (speech as plain audio, a
 * plain-text transcript, a cut stream) is `no_usage`; a model the price data
 * does not know (`dall-e-3`, `tts-1` in its current data) is `unknown_model`;
 * a batch is `billed_later` — its spend shows in the bill when it has run.
 *
 * @example
 * priceOpenAiMedia(request, facts, table)?.cost // { usd: 0.006, source: 'price_table', pricedModel: 'whisper-1' }
 */
export function priceOpenAiMedia(request: RequestFacts, response: ResponseFacts, table: PriceTable): CallCost | undefined {
  if (!isOpenAiMediaApi(request.api)) return undefined;
  const model = response.model ?? request.model;
  const units = mergeUnits(request.units, response.units);
  const exact = response.usageComplete && response.usage !== undefined;
  const usage = exact ? (response.usage as TokenUsage) : NO_TOKENS;
  const unpriced = (reason: UnpricedReason): CallCost => withUnits({ usage, model, cost: undefined, unpricedReason: reason }, units);
  if (request.api === 'batches') return unpriced('billed_later');
  if (model === undefined) return unpriced('no_model');
  if (!exact && units === undefined) return unpriced('no_usage');
  const price = priceBilledUsage(table, 'openai', 'openai', model, { usage, mediaTokens: response.mediaTokens, units });
  // A known model whose answer gave neither its tokens nor a unit it has a price for had no usage to price.
  if ('unpriced' in price) return unpriced(price.unpriced === 'unit_unpriced' && !exact ? 'no_usage' : price.unpriced);
  return withUnits({ usage, model, cost: { usd: price.usd, source: 'price_table', pricedModel: price.model }, unpricedReason: undefined }, units);
}

function mergeUnits(request: BilledUnits | undefined, response: BilledUnits | undefined): BilledUnits | undefined {
  if (request === undefined || response === undefined) return request ?? response;
  return { ...request, ...response };
}

function withUnits(cost: CallCost, units: BilledUnits | undefined): CallCost {
  if (units !== undefined) cost.units = units;
  return cost;
}
