import { findProvider, type ModelInfo, type ModelPrice as DataPrice } from '@pydantic/genai-prices';
import type { ModelPrice } from '../config/schema.js';
import type { CallCost, UnpricedReason } from '../model/cost.js';
import type { RequestFacts, TokenUsage } from '../model/usage.js';
import type { ProviderAdapter } from '../providers/types.js';
import { priceDataGeneration, REQUIRED_PROVIDERS } from '../pricing/price-data.js';

/** What happens to a call the price data cannot price: priced at a conservative estimate, or blocked under a dollar budget. */
export type UnknownModelPolicy = 'estimate' | 'block';

/** USD per token, input (cached or not) and output. */
export interface PerToken {
  input: number;
  output: number;
}

/** Reasons whose call has a cost costctl cannot look up, so an estimate stands in for budgets: never $0. */
const ESTIMATED: ReadonlySet<UnpricedReason> = new Set(['unknown_model', 'no_model', 'billed_later']);

/**
 * The conservative price of a call the price data cannot price: every
 * token at the provider's highest known price per input and per output
 * token (its price data and the config's overrides), or the highest of any
 * provider when the data knows none of its models. Resolved once per
 * provider; a call costs two multiplications.
 *
 * @example
 * const fallback = new FallbackPrices({}, 4096);
 * fallback.perToken(openaiAdapter) // { input: 0.00015, output: 0.0006 } (o1-pro's $150 and $600 per million)
 */
export class FallbackPrices {
  readonly #overrides: Record<string, Record<string, ModelPrice>>;
  readonly #defaultMaxOutputTokens: number;
  readonly #byProvider = new Map<string, PerToken>();
  #anyProvider: PerToken | undefined;
  #generation = priceDataGeneration;

  constructor(overrides: Record<string, Record<string, ModelPrice>>, defaultMaxOutputTokens: number) {
    this.#overrides = overrides;
    this.#defaultMaxOutputTokens = defaultMaxOutputTokens;
  }

  /** The highest known price per token of `adapter`'s provider. */
  perToken(adapter: Pick<ProviderAdapter, 'name' | 'pricingId'>): PerToken {
    // Highest prices of the data they were read from: new data, new highs.
    if (this.#generation !== priceDataGeneration) {
      this.#byProvider.clear();
      this.#anyProvider = undefined;
      this.#generation = priceDataGeneration;
    }
    const key = `${adapter.name}\u0000${adapter.pricingId}`;
    let price = this.#byProvider.get(key);
    if (price === undefined) {
      const provider = findProvider({ providerId: adapter.pricingId });
      const fromData = provider === undefined ? undefined : highest(provider.models);
      const fromOverrides = highestOverride(this.#overrides[adapter.name]);
      price = max(fromData, fromOverrides) ?? this.#any();
      this.#byProvider.set(key, price);
    }
    return price;
  }

  /** The USD of `usage` at the provider's highest known prices. */
  usd(adapter: Pick<ProviderAdapter, 'name' | 'pricingId'>, usage: Pick<TokenUsage, 'input' | 'output'>): number {
    const price = this.perToken(adapter);
    return usage.input * price.input + usage.output * price.output;
  }

  /** The tokens a call may use at most: its estimated input and its `max_tokens`, or the configured default. */
  worstUsage(request: RequestFacts): { input: number; output: number } {
    return { input: request.inputTokenEstimate, output: request.maxOutputTokens ?? this.#defaultMaxOutputTokens };
  }

  /**
   * The USD budgets count for a billable call the price data could not
   * price: a model it does not know, or a call that named none, at its
   * usage; a batch, billed later, at its request's worst case. Undefined
   * for a priced call, or one unpriced for another reason. The call itself
   * stays unpriced: this is a budget's safety margin, not its price.
   *
   * @example
   * fallback.budgetUsd(openai, request, { usage, model: 'gpt-9', cost: undefined, unpricedReason: 'unknown_model' }) // 0.0123
   */
  budgetUsd(adapter: ProviderAdapter, request: RequestFacts, cost: CallCost): number | undefined {
    if (cost.cost !== undefined || cost.unpricedReason === undefined || !ESTIMATED.has(cost.unpricedReason)) return undefined;
    if (adapter.worstCaseUsd !== undefined) return undefined;
    // A batch, or an answer that billed no tokens it said, is held at what its request could use.
    const known = cost.unpricedReason !== 'billed_later' && cost.usage.input + cost.usage.output > 0;
    return this.usd(adapter, known ? cost.usage : this.worstUsage(request));
  }

  #any(): PerToken {
    if (this.#anyProvider === undefined) {
      let found: PerToken | undefined;
      // The highest of the providers costctl knows bounds a provider the data does not know.
      for (const id of REQUIRED_PROVIDERS) {
        const provider = findProvider({ providerId: id });
        if (provider !== undefined) found = max(found, highest(provider.models));
      }
      this.#anyProvider = found ?? { input: 0, output: 0 };
    }
    return this.#anyProvider;
  }
}

function highest(models: readonly ModelInfo[]): PerToken | undefined {
  let found: PerToken | undefined;
  for (const model of models) {
    const prices: DataPrice[] = Array.isArray(model.prices) ? model.prices.map((conditional) => conditional.prices) : [model.prices];
    for (const price of prices) {
      const input = Math.max(top(price['input_mtok']), top(price['cache_write_mtok']), top(price['cache_read_mtok']));
      found = max(found, { input: input / 1e6, output: top(price['output_mtok']) / 1e6 });
    }
  }
  return found;
}

function highestOverride(overrides: Record<string, ModelPrice> | undefined): PerToken | undefined {
  let found: PerToken | undefined;
  for (const price of Object.values(overrides ?? {})) {
    const input = Math.max(price.input, price.cacheRead ?? 0, price.cacheWrite ?? 0);
    found = max(found, { input: input / 1e6, output: price.output / 1e6 });
  }
  return found;
}

/** A flat price, or the highest tier of a tiered one. */
function top(price: unknown): number {
  if (typeof price === 'number') return price;
  if (typeof price !== 'object' || price === null) return 0;
  const tiered = price as { base?: unknown; tiers?: { price?: unknown }[] };
  let value = typeof tiered.base === 'number' ? tiered.base : 0;
  for (const tier of tiered.tiers ?? []) if (typeof tier.price === 'number') value = Math.max(value, tier.price);
  return value;
}

function max(a: PerToken | undefined, b: PerToken | undefined): PerToken | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { input: Math.max(a.input, b.input), output: Math.max(a.output, b.output) };
}
