import type { BilledStep, BilledUnits, MediaTokens, ProviderAdapter, RequestFacts, ResponseFacts, TokenUsage } from '../providers/types.js';
import { hasBilledParts, priceParts } from './price-parts.js';
import type { Price, PriceTable } from './price-table.js';
import { priceOnTier, tierUnpriced } from './service-tiers.js';

/** Where a cost came from: the provider's own figure, the price data, or an estimate. */
export type CostSource = 'provider' | 'price_table' | 'estimated';

/**
 * Why a billable call could not be priced (`costctl_unpriced_requests_total{costctl_reason}`):
 * the price data does not know the model; neither request nor response named one; the
 * transport did not let costctl see the response body; or a bug in costctl stopped the reading.
 * Calls billed in more than tokens add: the answer of a model priced per token carried no usage
 * (`no_usage`); a metered API's answer lacked the header or field its unit is read from
 * (`unit_missing`); the price data has no price for a unit the call was billed in
 * (`unit_unpriced`); the call commits spend billed later, out of sight (`billed_later`, a batch).
 * Tiers add: the call was served on a tier the price data has no price for (`tier_unpriced`; its
 * standard price is given as an estimate), or on capacity paid by the hour rather than per token
 * (`provisioned`). Modalities add: the call
 * had tokens (OpenAI's audio, Claude's one-hour cache writes on Bedrock) its provider bills at a
 * rate the price data lacks for the model (`modality_unpriced`; they are priced at the plain rate,
 * and the call counted short).
 */
export type UnpricedReason =
  | 'unknown_model'
  | 'no_model'
  | 'body_unobservable'
  | 'internal_error'
  | 'no_usage'
  | 'unit_missing'
  | 'unit_unpriced'
  | 'billed_later'
  | 'tier_unpriced'
  | 'provisioned'
  | 'modality_unpriced';

export interface CallCost {
  /** Usage as reported, or estimated when the provider's final usage never arrived. */
  usage: TokenUsage;
  /** The model the price was looked up for (response model, else request model). */
  model: string | undefined;
  cost: { usd: number; source: CostSource; pricedModel: string } | undefined;
  unpricedReason: UnpricedReason | undefined;
  /** What the call was billed in besides tokens, counted in `costctl_units_total`. */
  units?: BilledUnits;
  /** The image, audio and video parts of `usage`, counted by modality in `costctl_tokens_total`. */
  mediaTokens?: Partial<MediaTokens>;
  /** Steps billed outside `usage` (a compaction, an advisor's sub-call), their tokens counted with the call's. */
  steps?: readonly BilledStep[];
}

/**
 * Prices one successful call. Exact usage is priced from the provider's
 * reported cost or the price data; a call whose final usage never arrived
 * (a cut stream, an unreadable body) is priced from an estimate and says so.
 * A call is never silently $0: if it cannot be priced, the reason is given;
 * if a part of it cannot (a tool fee the price data lacks, a step on an
 * unknown model), the rest is priced and the reason is given too.
 */
export function priceCall(
  adapter: ProviderAdapter,
  request: RequestFacts,
  response: ResponseFacts,
  table: PriceTable,
): CallCost {
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
