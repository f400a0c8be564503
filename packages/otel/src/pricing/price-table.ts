import { calcPrice, findProvider, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import type { ModelPrice } from '../config/schema.js';
import type { TokenUsage } from '../model/usage.js';
import { priceDataGeneration } from './price-data.js';

/** A price for one call, and the model id the price data matched. */
export interface Price {
  usd: number;
  /** The model as priced: the price data's id (dated ids resolve to their family), or the override's key. */
  model: string;
}

/** USD per token of each kind, for a model whose price is flat (no tiers, no time-dependent prices). */
interface Linear {
  base: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

type Resolved =
  | { kind: 'override'; price: ModelPrice; model: string }
  | { kind: 'linear'; linear: Linear; model: string }
  | { kind: 'table'; provider: Provider; model: string };

/**
 * Prices token usage from the bundled `@pydantic/genai-prices` data, with
 * per-model overrides from the config. A model is resolved once per
 * provider/model pair and cached: a flat price becomes per-token
 * coefficients, a tiered or time-dependent one is priced by the price data
 * against that model alone. The cache is emptied when the price data in use
 * changes (`costctl prices update`).
 *
 * @example
 * const table = new PriceTable({ openai: { 'my-finetune': { input: 3, output: 12 } } });
 * table.price('openai', 'openai', 'gpt-4o-mini', usage); // { usd: 0.00042, model: 'gpt-4o-mini' }
 */
export class PriceTable {
  readonly #overrides: Record<string, Record<string, ModelPrice>>;
  /** provider → pricing id → model → its resolution: constant keys first, so a call hashes only its model id. */
  readonly #resolved = new Map<string, Map<string, Map<string, Resolved | null>>>();
  #resolvedCount = 0;
  #generation = priceDataGeneration;

  constructor(overrides: Record<string, Record<string, ModelPrice>> = {}) {
    this.#overrides = overrides;
  }

  /**
   * The price of `usage` on `model`, or undefined when neither the overrides
   * nor the price data know the model.
   *
   * @param provider the `gen_ai.provider.name` (the key of config overrides)
   * @param pricingId the provider's id in the price data
   */
  price(provider: string, pricingId: string, model: string, reported: TokenUsage): Price | undefined {
    const resolved = this.#resolve(provider, pricingId, model);
    if (resolved === null) return undefined;
    const usage = pricedUsage(reported);
    if (resolved.kind === 'override') return { usd: priceFromOverride(resolved.price, usage), model: resolved.model };
    if (resolved.kind === 'linear') return { usd: priceLinear(resolved.linear, usage), model: resolved.model };
    const result = calcPrice(
      {
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_read_tokens: usage.cacheRead,
        cache_write_tokens: usage.cacheWrite,
      },
      model,
      { provider: resolved.provider },
    );
    return result === null ? undefined : { usd: result.total_price, model: resolved.model };
  }

  /**
   * The config's price for a model when it overrides the price data, for
   * pricers of calls billed in more than tokens (an override prices tokens only).
   *
   * @example
   * new PriceTable({ openai: { 'my-image-model': { input: 5, output: 40 } } }).override('openai', 'my-image-model') // { input: 5, output: 40 }
   */
  override(provider: string, model: string): ModelPrice | undefined {
    return this.#overrides[provider]?.[model];
  }

  /** How many provider/model pairs are resolved and kept; at most MAX_RESOLVED_MODELS. */
  get resolvedModels(): number {
    return this.#resolvedCount;
  }

  #resolve(provider: string, pricingId: string, model: string): Resolved | null {
    if (this.#generation !== priceDataGeneration) {
      this.#forget();
      this.#generation = priceDataGeneration;
    }
    let byId = this.#resolved.get(provider);
    if (byId === undefined) this.#resolved.set(provider, (byId = new Map()));
    let models = byId.get(pricingId);
    if (models === undefined) byId.set(pricingId, (models = new Map()));
    let resolved = models.get(model);
    if (resolved === undefined) {
      resolved = resolveModel(this.#overrides[provider], pricingId, model);
      // A model id comes from the wire: past the bound the cache starts over rather than grow.
      if (this.#resolvedCount >= MAX_RESOLVED_MODELS) this.#forget();
      models.set(model, resolved);
      this.#resolvedCount += 1;
    }
    return resolved;
  }

  /** Empties every model map, keeping the few provider maps above them. */
  #forget(): void {
    for (const byId of this.#resolved.values()) for (const models of byId.values()) models.clear();
    this.#resolvedCount = 0;
  }
}

/** Distinct provider/model pairs a table keeps resolved; far more than an app's models, far fewer than its memory. */
export const MAX_RESOLVED_MODELS = 1024;

function resolveModel(overrides: Record<string, ModelPrice> | undefined, pricingId: string, model: string): Resolved | null {
  const override = overrides?.[model];
  if (override) return { kind: 'override', price: override, model };

  // A zero-usage probe finds the model entry once; later calls price against it alone.
  const probe = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: pricingId });
  if (probe === null) return null;
  // An override of a model's family (`gpt-4o`) prices its dated ids (`gpt-4o-2024-08-06`) too, as the price data does.
  const family = overrides?.[probe.model.id];
  if (family) return { kind: 'override', price: family, model: probe.model.id };
  const base = findProvider({ providerId: probe.provider.id }) ?? probe.provider;
  const provider: Provider = { ...base, models: [probe.model], fallback_model_providers: [] };
  if (!isFlat(probe.model.prices)) return { kind: 'table', provider, model: probe.model.id };
  return { kind: 'linear', linear: linearPrice(provider, model), model: probe.model.id };
}

/** A price with no tiers and no time constraints is linear in the token counts. */
function isFlat(prices: ModelInfo['prices']): boolean {
  return !Array.isArray(prices) && Object.values(prices).every((value) => value === undefined || typeof value === 'number');
}

/**
 * The per-token coefficients of a flat price, read from the price data's own
 * calculation on one million tokens of each kind — so they mean exactly what
 * `calcPrice` means (input counts cached tokens; a missing cache price falls
 * back as it does there) — and then a call costs a few multiplications.
 */
function linearPrice(provider: Provider, model: string): Linear {
  const at = (usage: Record<string, number>) => calcPrice(usage, model, { provider })?.total_price ?? 0;
  const base = at({ input_tokens: 0, output_tokens: 0 });
  const input = at({ input_tokens: 1e6 }) - base;
  return {
    base,
    input: input / 1e6,
    cacheRead: (at({ input_tokens: 1e6, cache_read_tokens: 1e6 }) - base - input) / 1e6,
    cacheWrite: (at({ input_tokens: 1e6, cache_write_tokens: 1e6 }) - base - input) / 1e6,
    output: (at({ output_tokens: 1e6 }) - base) / 1e6,
  };
}

/**
 * Usage whose cache writes fit beside its cache reads within the input: a
 * provider may report a token as both (OpenRouter), and pricing it twice, or
 * a negative count of uncached tokens, would be wrong either way.
 */
function pricedUsage(usage: TokenUsage): TokenUsage {
  const room = Math.max(0, usage.input - usage.cacheRead);
  return usage.cacheWrite <= room ? usage : { ...usage, cacheWrite: room };
}

function priceLinear(linear: Linear, usage: TokenUsage): number {
  return linear.base + usage.input * linear.input + usage.cacheRead * linear.cacheRead + usage.cacheWrite * linear.cacheWrite + usage.output * linear.output;
}

function priceFromOverride(price: ModelPrice, usage: TokenUsage): number {
  const uncached = Math.max(0, usage.input - usage.cacheRead - usage.cacheWrite);
  const perToken =
    uncached * price.input +
    usage.cacheRead * (price.cacheRead ?? price.input) +
    usage.cacheWrite * (price.cacheWrite ?? price.input) +
    usage.output * price.output;
  return perToken / 1_000_000;
}
