/**
 * Prices calls billed in more than the five token counts — image and audio
 * tokens, seconds of audio, characters — from the price data's own units.
 */
import { calcPrice, type Usage } from '@pydantic/genai-prices';
import type { BilledUnits, MediaTokens, ResponseFacts, TokenUsage } from '../model/usage.js';
import type { CallCost } from '../model/cost.js';
import type { PriceTable } from './price-table.js';

/**
 * A price, or why there is none: the model is unknown, or nothing billed has
 * a price. `short` says a unit the price data knows how to price (pages with
 * annotations) has no price for this model, so the price leaves it out.
 */
export type BilledPrice = { usd: number; model: string; short?: true } | { unpriced: 'unknown_model' | 'unit_unpriced' };

/** What one call was billed in. */
export interface BilledUsage {
  usage: TokenUsage;
  mediaTokens?: Partial<MediaTokens> | undefined;
  units?: BilledUnits | undefined;
}

/** The price data's usage keys a costctl unit fills, and the price keys that price it. */
const UNIT_KEYS: Readonly<Record<string, { usage: readonly string[]; prices: readonly string[] }>> = Object.freeze({
  // Transcription input: the price data prices it per hour under either key, and rejects the narrower key alone.
  audio_seconds: { usage: ['audio_seconds', 'input_audio_seconds'], prices: ['audio_hours', 'input_audio_hours'] },
  characters: { usage: ['input_characters'], prices: ['input_mchars'] },
  // Cohere's rerank: one search unit is one search (a query over up to 100 documents).
  search_units: { usage: ['rerank_searches'], prices: ['rerank_searches_kcount'] },
  // Server-side tools billed per call on top of the tokens they read.
  web_searches: { usage: ['web_searches'], prices: ['web_searches_kcount'] },
  file_searches: { usage: ['storage_searches'], prices: ['storage_searches_kcount'] },
  code_executions: { usage: ['code_executions'], prices: ['code_executions_kcount'] },
  // Pages an OCR model read (Mistral OCR); those read with annotations are a part of them, priced at their own rate.
  document_pages: { usage: ['input_document_pages'], prices: ['input_document_kpages'] },
  annotated_document_pages: { usage: ['input_annotated_document_pages'], prices: ['input_annotated_document_kpages'] },
});

/**
 * Units billed as a fee of their own on top of a call's tokens (a server-side
 * tool's calls): one without a price leaves the call's cost short, so it is
 * counted unpriced even when the tokens are priced. Other units (the images
 * an image model's tokens already bill) only count when nothing else was billed.
 */
const FEE_UNITS: ReadonlySet<string> = new Set([
  'web_searches',
  'x_searches',
  'file_searches',
  'code_executions',
  'image_generations',
  'search_sources',
  'page_visits',
  'other_tool_calls',
  'maps_groundings',
]);

/** Units the provider documents as free beyond their tokens: counted, never a reason to call a price short. */
const FREE_UNITS: ReadonlySet<string> = new Set(['web_fetches']);

/**
 * True when `unit` is a fee of its own that `prices` (a model's price data)
 * has no price for.
 *
 * @example
 * unpricedFee('web_searches', { input_mtok: 3, output_mtok: 15 }) // true
 */
export function unpricedFee(unit: string, prices: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!FEE_UNITS.has(unit) || FREE_UNITS.has(unit)) return false;
  return UNIT_KEYS[unit]?.prices.some((key) => prices?.[key] !== undefined) !== true;
}

/**
 * The call's units in the price data's usage keys, for pricing the fees alone.
 *
 * @example
 * feeUsage({ web_searches: 2 }) // { input_tokens: 0, output_tokens: 0, web_searches: 2 }
 */
export function feeUsage(units: BilledUnits): Usage {
  const data: Usage = { input_tokens: 0, output_tokens: 0 };
  for (const [unit, count] of billedUnits(units)) if (FEE_UNITS.has(unit)) for (const key of UNIT_KEYS[unit]?.usage ?? []) data[key] = count;
  return data;
}

/**
 * The price of a call from its tokens, their image and audio parts, and its
 * other units, by `@pydantic/genai-prices`. A config override prices tokens
 * only. Units the model has no price for are only counted, unless nothing
 * else was billed — then the call is `unit_unpriced`, never $0.
 *
 * @example
 * priceBilledUsage(table, 'openai', 'openai', 'whisper-1', { usage: zeroUsage, units: { audio_seconds: 60 } })
 * // { usd: 0.006, model: 'whisper-1' }
 */
export function priceBilledUsage(table: PriceTable, provider: string, pricingId: string, model: string, billed: BilledUsage): BilledPrice {
  const { usage } = billed;
  const units = billedUnits(billed.units);
  const tokens = usage.input + usage.output;
  if (table.override(provider, model) !== undefined) {
    if (tokens === 0 && units.length > 0) return { unpriced: 'unit_unpriced' };
    const price = table.price(provider, pricingId, model, usage);
    return price === undefined ? { unpriced: 'unknown_model' } : price;
  }
  const result = calcPrice(priceDataUsage(usage, billed.mediaTokens, units), model, { providerId: pricingId });
  if (result === null) return { unpriced: 'unknown_model' };
  const priced = (unit: string): boolean => UNIT_KEYS[unit]?.prices.some((key) => result.model_price[key] !== undefined) === true;
  if (tokens === 0 && units.length > 0 && !units.some(([unit]) => priced(unit))) return { unpriced: 'unit_unpriced' };
  const price: BilledPrice = { usd: result.total_price, model: result.model.id };
  if (units.some(([unit]) => UNIT_KEYS[unit] !== undefined && !priced(unit))) price.short = true;
  return price;
}

/** The units with a positive count, in a stable order. */
function billedUnits(units: BilledUnits | undefined): [string, number][] {
  if (units === undefined) return [];
  return Object.entries(units).filter(([, count]) => Number.isFinite(count) && count > 0);
}

/**
 * The call in the price data's usage keys. Parts are kept within their totals
 * (the price data throws on a part larger than what it is part of), and every
 * media key is given, zero or not, so the price data never meets two parts
 * whose overlap it prices without being told it.
 *
 * @example
 * priceDataUsage(tokenUsage({ input: 100, output: 5, cacheRead: 40 }), { inputAudio: 30, cacheReadAudio: 10 }, [])
 * // { input_tokens: 100, cache_read_tokens: 40, input_audio_tokens: 30, cache_audio_read_tokens: 10, … }
 */
export function priceDataUsage(usage: TokenUsage, media: Partial<MediaTokens> | undefined, units: readonly [string, number][]): Usage {
  const cacheRead = Math.min(usage.cacheRead, usage.input);
  // A provider may report writes overlapping reads (OpenRouter); the price data cannot price more parts than the whole.
  const cacheWrite = Math.min(usage.cacheWrite, usage.input - cacheRead);
  const data: Usage = {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
  };
  let inputLeft = usage.input;
  let cacheLeft = cacheRead;
  let outputLeft = usage.output;
  for (const [modality, input, cache, output] of MODALITIES) {
    const inputPart = Math.min(media?.[input] ?? 0, inputLeft);
    const cachePart = Math.min(media?.[cache] ?? 0, cacheLeft, inputPart);
    const outputPart = output === undefined ? 0 : Math.min(media?.[output] ?? 0, outputLeft);
    inputLeft -= inputPart;
    cacheLeft -= cachePart;
    outputLeft -= outputPart;
    data[`input_${modality}_tokens`] = inputPart;
    data[`cache_${modality}_read_tokens`] = cachePart;
    data[`cache_${modality}_write_tokens`] = 0;
    data[`output_${modality}_tokens`] = outputPart;
  }
  const write1h = Math.min(media?.cacheWrite1h ?? 0, cacheWrite);
  if (write1h > 0) data['cache_write_1h_tokens'] = write1h;
  for (const [unit, count] of units) for (const key of UNIT_KEYS[unit]?.usage ?? []) data[key] = count;
  return data;
}

/** Each modality's input, cache-read and output parts in MediaTokens. */
const MODALITIES: readonly (readonly [string, keyof MediaTokens, keyof MediaTokens, keyof MediaTokens | undefined])[] = [
  ['image', 'inputImage', 'cacheReadImage', 'outputImage'],
  ['audio', 'inputAudio', 'cacheReadAudio', 'outputAudio'],
  ['video', 'inputVideo', 'cacheReadVideo', 'outputVideo'],
];

/**
 * The cost of an answer that reports units besides tokens (images, search
 * units), by {@link priceBilledUsage}, carrying its units; undefined for an
 * answer without units or usage, or with no model — those are priced from
 * their tokens as usual.
 *
 * @example
 * priceWithUnits(table, 'cohere', 'cohere', 'rerank-v3.5', facts) // { cost: undefined, unpricedReason: 'unknown_model', units: { search_units: 1 }, … }
 */
export function priceWithUnits(
  table: PriceTable,
  provider: string,
  pricingId: string,
  model: string | undefined,
  response: ResponseFacts,
): CallCost | undefined {
  const { units, usage } = response;
  if (units === undefined || model === undefined || usage === undefined) return undefined;
  const price = priceBilledUsage(table, provider, pricingId, model, { usage, mediaTokens: response.mediaTokens, units });
  if ('unpriced' in price) return { usage, model, cost: undefined, unpricedReason: price.unpriced, units };
  return { usage, model, cost: { usd: price.usd, source: 'price_table', pricedModel: price.model }, unpricedReason: undefined, units };
}
