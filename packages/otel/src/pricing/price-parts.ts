/**
 * Prices a call that is billed in more than its five top-level token counts:
 * image, audio and video tokens and one-hour cache writes at their own rates,
 * steps billed outside the top-level usage at their own model, and the fees
 * of server-side tools, each from `@pydantic/genai-prices`.
 */
import { calcPrice } from '@pydantic/genai-prices';
import type { BilledStep, MediaTokens, ResponseFacts, TokenUsage } from '../model/usage.js';
import type { ProviderAdapter } from '../providers/types.js';
import { feeUsage, priceDataUsage, unpricedFee } from './billed-usage.js';
import type { UnpricedReason } from '../model/cost.js';
import type { Price, PriceTable } from './price-table.js';
import { priceOnTier } from './service-tiers.js';

/** The price of every part that has one, and why the rest (if any) has none. */
export type PartsPrice = { usd: number; model: string; unpriced: UnpricedReason | undefined } | { unpriced: 'unknown_model' };

/**
 * True when a response bills something the five token counts do not say:
 * media parts, steps, or units of a server-side tool.
 *
 * @example
 * hasBilledParts({ ...facts, steps: [{ kind: 'compaction', usage }] }) // true
 */
export function hasBilledParts(response: ResponseFacts): boolean {
  return response.steps !== undefined || hasMedia(response.mediaTokens) || (response.units !== undefined && Object.keys(response.units).length > 0);
}

/**
 * The price of a call part by part: its own tokens (media parts at their
 * rates) at `model`, each step at the step's model, then the tier the call
 * was served on, then the fees of its server-side tools. A part without a
 * price leaves the others priced and says why it is short; an unknown call
 * model leaves the whole call unpriced.
 *
 * @example
 * priceParts(table, anthropicAdapter, 'claude-sonnet-4-6', facts, usage)
 * // { usd: 0.2096…, model: 'claude-sonnet-4-6', unpriced: undefined }
 */
export function priceParts(table: PriceTable, adapter: ProviderAdapter, model: string, response: ResponseFacts, usage: TokenUsage): PartsPrice {
  // A usage that is the sum of its steps is priced through them alone (its model, a router's name, has no price of its own).
  const main = response.stepsCoverUsage === true ? { usd: 0, model } : tokenPrice(table, adapter, model, usage, response.mediaTokens);
  if (main === undefined) return { unpriced: 'unknown_model' };
  const tier = response.serviceTier;
  let usd = priceOnTier(adapter.pricingId, tier, main, usage).usd;
  let unpriced: UnpricedReason | undefined = ownRateMissing(adapter.pricingId, response.mediaTokens, 'prices' in main ? main.prices : undefined)
    ? 'modality_unpriced'
    : undefined;
  for (const step of response.steps ?? []) {
    const price = stepPrice(table, adapter, model, step);
    if (price === undefined) unpriced = 'unknown_model';
    else {
      usd += priceOnTier(adapter.pricingId, tier, price, step.usage).usd;
      if (ownRateMissing(adapter.pricingId, step.mediaTokens, price.prices)) unpriced ??= 'modality_unpriced';
    }
  }
  const units = response.units;
  if (units !== undefined) {
    const fees = table.override(adapter.name, model) === undefined ? calcPrice(feeUsage(units), main.model, { providerId: adapter.pricingId }) : null;
    if (fees !== null) usd += fees.total_price;
    for (const unit in units) if ((units[unit] ?? 0) > 0 && unpricedFee(unit, fees?.model_price)) unpriced ??= 'unit_unpriced';
  }
  return { usd, model: main.model, unpriced };
}

/** Claude's one-hour cache writes, billed at twice the input rate wherever Claude is sold, above the five-minute writes' 1.25. */
const CLAUDE_ONE_HOUR_WRITES = [['cacheWrite1h', 'cache_write_1h_mtok']] as const;

/**
 * Token parts a provider always bills at a rate of their own (OpenAI's audio
 * tokens cost several times its text tokens on every model that takes
 * audio; Claude's one-hour cache writes cost more than its five-minute
 * ones): where the price data has no such rate for the model, pricing them
 * at the plain rate would be short, so the call says so.
 */
const OWN_RATE_MODALITIES: Readonly<Record<string, readonly (readonly [keyof MediaTokens, string])[]>> = Object.freeze({
  anthropic: CLAUDE_ONE_HOUR_WRITES,
  // Claude on Bedrock (InvokeModel, Converse) and on Vertex AI (rawPredict).
  aws: CLAUDE_ONE_HOUR_WRITES,
  google: CLAUDE_ONE_HOUR_WRITES,
  openai: [
    ['inputAudio', 'input_audio_mtok'],
    ['outputAudio', 'output_audio_mtok'],
  ],
  azure: [
    ['inputAudio', 'input_audio_mtok'],
    ['outputAudio', 'output_audio_mtok'],
  ],
});

function ownRateMissing(pricingId: string, media: Partial<MediaTokens> | undefined, prices: Readonly<Record<string, unknown>> | undefined): boolean {
  if (prices === undefined) return false;
  return OWN_RATE_MODALITIES[pricingId]?.some(([part, key]) => (media?.[part] ?? 0) > 0 && prices[key] === undefined) === true;
}

/** A price, with the price data's rates it came from when it came from the price data's own units. */
type TokenPrice = Price & { prices?: Readonly<Record<string, unknown>> };

/**
 * The price of a step: on another model, first under the name the adapter
 * gives it for the call's model (Bedrock's inference profile) when the
 * price data has one, unless the config prices the step's model itself;
 * else at the step's own model, or the call's.
 */
function stepPrice(table: PriceTable, adapter: ProviderAdapter, model: string, step: BilledStep): TokenPrice | undefined {
  const own = step.model ?? model;
  const profiled = step.model === undefined || table.override(adapter.name, own) !== undefined ? undefined : adapter.stepPricingModel?.(model, step.model);
  const price = profiled === undefined ? undefined : tokenPrice(table, adapter, profiled, step.usage, step.mediaTokens);
  return price ?? tokenPrice(table, adapter, own, step.usage, step.mediaTokens);
}

/** The price of tokens at one model: the fast path without media parts, the price data's own units with them. */
function tokenPrice(
  table: PriceTable,
  adapter: ProviderAdapter,
  model: string,
  usage: TokenUsage,
  media: Partial<MediaTokens> | undefined,
): TokenPrice | undefined {
  if (!hasMedia(media) || table.override(adapter.name, model) !== undefined) {
    return table.price(adapter.name, adapter.pricingId, model, usage) ?? priceUnderAlias(table, adapter, model, usage, undefined);
  }
  const result = calcPrice(priceDataUsage(usage, media, []), model, { providerId: adapter.pricingId });
  return result === null
    ? priceUnderAlias(table, adapter, model, usage, media)
    : { usd: result.total_price, model: result.model.id, prices: result.model_price };
}

function priceUnderAlias(
  table: PriceTable,
  adapter: ProviderAdapter,
  model: string,
  usage: TokenUsage,
  media: Partial<MediaTokens> | undefined,
): TokenPrice | undefined {
  const alias = adapter.pricingAlias?.(model);
  return alias === undefined ? undefined : tokenPrice(table, adapter, alias, usage, media);
}

function hasMedia(media: Partial<MediaTokens> | undefined): boolean {
  if (media === undefined) return false;
  for (const key in media) if ((media[key as keyof MediaTokens] ?? 0) > 0) return true;
  return false;
}
