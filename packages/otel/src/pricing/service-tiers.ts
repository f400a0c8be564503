/**
 * What a call costs on a processing tier or traffic type other than the
 * standard one. The price data (`@pydantic/genai-prices` 0.1.x) has standard
 * prices only, so the tiers live here, each with the page its figures come from.
 */
import type { TokenUsage } from '../model/usage.js';
import type { Price } from './price-table.js';

/** USD per million tokens. */
interface TierPrice {
  input: number;
  cacheRead: number;
  output: number;
}

// OpenAI's Priority processing prices, from https://openai.com/api-priority-processing/ (read November 2026), keyed by the price data's model id.
const OPENAI_PRIORITY: Readonly<Record<string, TierPrice>> = Object.freeze({
  'gpt-5.5': { input: 12.5, cacheRead: 1.25, output: 75 },
  'gpt-5.4-mini': { input: 1.5, cacheRead: 0.15, output: 9 },
  'gpt-5.4': { input: 5, cacheRead: 0.5, output: 30 },
  'gpt-5.2': { input: 3.5, cacheRead: 0.35, output: 28 },
  'gpt-5.1': { input: 2.5, cacheRead: 0.25, output: 20 },
  'gpt-5': { input: 2.5, cacheRead: 0.25, output: 20 },
  'gpt-5-mini': { input: 0.45, cacheRead: 0.045, output: 3.6 },
  'gpt-4.1': { input: 3.5, cacheRead: 0.875, output: 14 },
  'gpt-4.1-mini': { input: 0.7, cacheRead: 0.175, output: 2.8 },
  'gpt-4.1-nano': { input: 0.2, cacheRead: 0.05, output: 0.8 },
  'gpt-4o': { input: 4.25, cacheRead: 2.125, output: 17 },
  // No cached-input price is listed for this snapshot: cached tokens cost as input.
  'gpt-4o-2024-05-13': { input: 8.75, cacheRead: 8.75, output: 26.25 },
  'gpt-4o-mini': { input: 0.25, cacheRead: 0.125, output: 1 },
  o3: { input: 3.5, cacheRead: 0.875, output: 14 },
  'o4-mini': { input: 2, cacheRead: 0.5, output: 8 },
});

// Flex is billed at Batch API rates, half the standard ones (OpenAI: https://developers.openai.com/api/docs/guides/flex-processing; Azure: learn.microsoft.com …/openai/how-to/flex-processing).
const FLEX_FACTOR = 0.5;
// Priority for a model the page does not list: twice the standard price, the premium of most current models on it.
const PRIORITY_FACTOR = 2;

/** How one tier is priced: a factor on the standard price, OpenAI's priority list, or not at all. */
type TierRule = { factor: number } | 'openai_priority' | { unpriced: TierUnpricedReason };

/**
 * Why a tier has no price: the price data has none for it (`tier_unpriced`),
 * or the provider does not bill it per token (`provisioned`, paid for by the hour).
 */
export type TierUnpricedReason = 'tier_unpriced' | 'provisioned';

/** The tiers priced apart from the standard price, by price-data provider id and tier as the provider names it. */
const TIERS: Readonly<Record<string, Readonly<Record<string, TierRule>>>> = Object.freeze({
  openai: { flex: { factor: FLEX_FACTOR }, priority: 'openai_priority' },
  azure: { flex: { factor: FLEX_FACTOR } },
  // Vertex AI's usageMetadata.trafficType (https://cloud.google.com/vertex-ai/generative-ai/docs/flex-paygo, /provisioned-throughput).
  google: {
    ON_DEMAND_FLEX: { factor: 0.5 },
    ON_DEMAND_PRIORITY: { unpriced: 'tier_unpriced' },
    PROVISIONED_THROUGHPUT: { unpriced: 'provisioned' },
    // The Gemini API's usageMetadata.serviceTier: only `standard` has a price in the data.
    flex: { unpriced: 'tier_unpriced' },
    priority: { unpriced: 'tier_unpriced' },
  },
  // Anthropic's usage.service_tier: batch at half price (https://platform.claude.com/docs/en/build-with-claude/batch-processing#pricing); priority is a contract, and fast mode (usage.speed) a premium, that the data has no price for.
  // US-only inference (usage.inference_geo `us`) costs 1.1× on every token (https://platform.claude.com/docs/en/build-with-claude/data-residency).
  anthropic: { batch: { factor: 0.5 }, standard_us: { factor: 1.1 }, priority: { unpriced: 'tier_unpriced' }, fast: { unpriced: 'tier_unpriced' } },
  // Bedrock's serviceTier.type: flex and priority prices are per model and absent from the price data (https://docs.aws.amazon.com/bedrock/latest/userguide/service-tiers-inference.html).
  aws: { flex: { unpriced: 'tier_unpriced' }, priority: { unpriced: 'tier_unpriced' }, reserved: { unpriced: 'provisioned' } },
});

/**
 * The price of a call served on `tier`: flex at half the standard price,
 * priority at OpenAI's published priority prices (twice standard for a model
 * they do not list), Vertex AI's flex and Anthropic's batch at half. Any
 * other tier (`default`, `auto`, `standard`, a provider's own names), a tier
 * without a price (see {@link tierUnpriced}) and any provider without tier
 * prices costs the standard price, the bound a budget reserves.
 *
 * @example
 * priceOnTier('openai', 'flex', { usd: 0.0004, model: 'gpt-4o-mini' }, usage) // { usd: 0.0002, model: 'gpt-4o-mini' }
 */
export function priceOnTier(pricingId: string, tier: string | undefined, price: Price, usage: TokenUsage): Price {
  const rule = tier === undefined ? undefined : TIERS[pricingId]?.[tier];
  if (rule === undefined || (typeof rule === 'object' && 'unpriced' in rule)) return price;
  if (rule !== 'openai_priority') return { usd: price.usd * rule.factor, model: price.model };
  const listed = OPENAI_PRIORITY[price.model];
  return { usd: listed === undefined ? price.usd * PRIORITY_FACTOR : priceFrom(listed, usage), model: price.model };
}

/**
 * The factor a tier puts on every token price, for calls priced part by part; undefined for
 * OpenAI's priority list, which is not a factor.
 *
 * @example
 * tierFactor('google', 'ON_DEMAND_FLEX') // 0.5
 */
export function tierFactor(pricingId: string, tier: string | undefined): number | undefined {
  const rule = tier === undefined ? undefined : TIERS[pricingId]?.[tier];
  if (rule === undefined || (typeof rule === 'object' && 'unpriced' in rule)) return 1;
  return rule === 'openai_priority' ? undefined : rule.factor;
}

/**
 * Why a call served on `tier` cannot be priced, or undefined when it can.
 *
 * @example
 * tierUnpriced('google', 'PROVISIONED_THROUGHPUT') // 'provisioned'
 * tierUnpriced('aws', 'flex') // 'tier_unpriced'
 */
export function tierUnpriced(pricingId: string, tier: string | undefined): TierUnpricedReason | undefined {
  const rule = tier === undefined ? undefined : TIERS[pricingId]?.[tier];
  return typeof rule === 'object' && 'unpriced' in rule ? rule.unpriced : undefined;
}

function priceFrom(price: TierPrice, usage: TokenUsage): number {
  // OpenAI has no cache-write price: written tokens cost as input.
  const uncached = Math.max(0, usage.input - usage.cacheRead);
  return (uncached * price.input + usage.cacheRead * price.cacheRead + usage.output * price.output) / 1_000_000;
}
