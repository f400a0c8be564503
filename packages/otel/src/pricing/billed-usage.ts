/**
 * Prices calls billed in more than the five token counts — image and audio
 * tokens, seconds of audio, characters — from the price data's own units.
 */
import { calcPrice, type Usage } from '@pydantic/genai-prices';
import type { BilledUnits, MediaTokens, ResponseFacts, TokenUsage } from '../providers/types.js';
import type { CallCost } from './price-call.js';
import type { PriceTable } from './price-table.js';

/** A price, or why there is none: the model is unknown, or nothing billed has a price. */
export type BilledPrice = { usd: number; model: string } | { unpriced: 'unknown_model' | 'unit_unpriced' };

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
});

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
  return { usd: result.total_price, model: result.model.id };
}

/** The units with a positive count, in a stable order. */
function billedUnits(units: BilledUnits | undefined): [string, number][] {
  if (units === undefined) return [];
  return Object.entries(units).filter(([, count]) => Number.isFinite(count) && count > 0);
}

/**
 * The call in the price data's usage keys. Parts are kept within their totals
 * (the price data throws on an image part larger than its input).
 */
function priceDataUsage(usage: TokenUsage, media: Partial<MediaTokens> | undefined, units: readonly [string, number][]): Usage {
  const data: Usage = {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_read_tokens: usage.cacheRead,
    cache_write_tokens: usage.cacheWrite,
  };
  const inputImage = Math.min(media?.inputImage ?? 0, usage.input);
  const inputAudio = Math.min(media?.inputAudio ?? 0, usage.input - inputImage);
  const outputImage = Math.min(media?.outputImage ?? 0, usage.output);
  const outputAudio = Math.min(media?.outputAudio ?? 0, usage.output - outputImage);
  if (inputImage > 0) data['input_image_tokens'] = inputImage;
  if (inputAudio > 0) data['input_audio_tokens'] = inputAudio;
  if (outputImage > 0) data['output_image_tokens'] = outputImage;
  if (outputAudio > 0) data['output_audio_tokens'] = outputAudio;
  for (const [unit, count] of units) for (const key of UNIT_KEYS[unit]?.usage ?? []) data[key] = count;
  return data;
}

/**
 * The cost of an answer that reports units besides tokens (images, search
 * units), by {@link priceBilledUsage}, carrying its units; undefined for an
 * answer without units or usage, or with no model — those are priced from
 * their tokens as usual.
 *
 * @example
 * priceWithUnits(table, 'cohere', 'cohere', 'rerank-v3.5', facts) // { cost: undefined, unpricedReason: 'unknown_model', units: { search_units: 1 }, … }
 */
export function priceWithUnits(table: PriceTable, provider: string, pricingId: string, model: string | undefined, response: ResponseFacts): CallCost | undefined {
  const { units, usage } = response;
  if (units === undefined || model === undefined || usage === undefined) return undefined;
  const price = priceBilledUsage(table, provider, pricingId, model, { usage, mediaTokens: response.mediaTokens, units });
  if ('unpriced' in price) return { usage, model, cost: undefined, unpricedReason: price.unpriced, units };
  return { usage, model, cost: { usd: price.usd, source: 'price_table', pricedModel: price.model }, unpricedReason: undefined, units };
}
