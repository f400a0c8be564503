import type { CallCost } from '../model/cost.js';
import type { RequestFacts, ResponseFacts, TokenUsage } from '../model/usage.js';
import type { ProviderAdapter } from '../providers/types.js';
import { hasBilledParts, priceParts } from './price-parts.js';
import type { Price, PriceTable } from './price-table.js';
import { priceOnTier, tierUnpriced } from './service-tiers.js';

/**
 * Prices one successful call. Exact usage is priced from the provider's
 * reported cost or the price data; a call whose final usage never arrived
 * (a cut stream, an unreadable body) is priced from an estimate and says so.
 * A call is never silently $0: if it cannot be priced, the reason is given;
 * if a part of it cannot (a tool fee the price data lacks, a step on an
 * unknown model), the rest is priced and the reason is given too.
 */
export function priceCall(adapter: ProviderAdapter, request: RequestFacts, response: ResponseFacts, table: PriceTable): CallCost {
  const own = adapter.price?.(request, response, table);
  if (own !== undefined) return own;
  const model = response.model ?? request.model;
  const exact = response.usageComplete && response.usage !== undefined;
  const usage = exact ? (response.usage as TokenUsage) : estimateUsage(request, response);
  const call = withParts({ usage, model, cost: undefined, unpricedReason: undefined }, response);
  if (exact && response.providerCostUsd !== undefined) {
    return { ...call, cost: { usd: response.providerCostUsd, source: 'provider', pricedModel: model ?? 'unknown' } };
  }
  if (model === undefined) return { ...call, unpricedReason: 'no_model' };
  const tierReason = tierUnpriced(adapter.pricingId, response.serviceTier);
  // Capacity paid by the hour costs nothing per call.
  if (tierReason === 'provisioned') return { ...call, unpricedReason: tierReason };
  // A tier without a price is priced at the standard price, as an estimate, and counted unpriced: never $0 to a budget.
  const source = exact && tierReason === undefined ? 'price_table' : 'estimated';
  if (hasBilledParts(response)) {
    const parts = priceParts(table, adapter, model, response, usage);
    if (!('usd' in parts)) return { ...call, unpricedReason: parts.unpriced };
    return { ...call, cost: { usd: parts.usd, source, pricedModel: parts.model }, unpricedReason: tierReason ?? parts.unpriced };
  }
  const listed = table.price(adapter.name, adapter.pricingId, model, usage) ?? priceUnderAlias(adapter, model, usage, table);
  if (listed === undefined) return { ...call, unpricedReason: 'unknown_model' };
  const price = priceOnTier(adapter.pricingId, response.serviceTier, listed, usage);
  return { ...call, cost: { usd: price.usd, source, pricedModel: price.model }, unpricedReason: tierReason };
}

/** The call's cost record, carrying what the response billed besides its token counts, for the metrics. */
function withParts(call: CallCost, response: ResponseFacts): CallCost {
  if (response.units !== undefined) call.units = response.units;
  if (response.mediaTokens !== undefined) call.mediaTokens = response.mediaTokens;
  // Steps that make up the usage are already counted in it.
  if (response.steps !== undefined && response.stepsCoverUsage !== true) call.steps = response.steps;
  return call;
}

/** The price under the adapter's other name for a model the price data does not know as reported. */
function priceUnderAlias(adapter: ProviderAdapter, model: string, usage: TokenUsage, table: PriceTable): Price | undefined {
  const alias = adapter.pricingAlias?.(model);
  return alias === undefined ? undefined : table.price(adapter.name, adapter.pricingId, alias, usage);
}

function estimateUsage(request: RequestFacts, response: ResponseFacts): TokenUsage {
  const partial = response.usage;
  // Partial usage (e.g. Anthropic's message_start) is exact for what it has.
  const input = partial !== undefined && partial.input > 0 ? partial.input : request.inputTokenEstimate;
  const output = Math.max(partial?.output ?? 0, response.outputTokenEstimate);
  return {
    input,
    output,
    cacheRead: partial?.cacheRead ?? 0,
    cacheWrite: partial?.cacheWrite ?? 0,
    reasoning: partial?.reasoning ?? 0,
  };
}
