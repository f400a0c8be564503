import type { BilledUnits, ProviderAdapter, RequestFacts, ResponseFacts, TokenUsage } from '../providers/types.js';
import type { Price, PriceTable } from './price-table.js';
import { priceOnTier } from './service-tiers.js';

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
 */
export type UnpricedReason =
  | 'unknown_model'
  | 'no_model'
  | 'body_unobservable'
  | 'internal_error'
  | 'no_usage'
  | 'unit_missing'
  | 'unit_unpriced'
  | 'billed_later';

export interface CallCost {
  /** Usage as reported, or estimated when the provider's final usage never arrived. */
  usage: TokenUsage;
  /** The model the price was looked up for (response model, else request model). */
  model: string | undefined;
  cost: { usd: number; source: CostSource; pricedModel: string } | undefined;
  unpricedReason: UnpricedReason | undefined;
  /** What the call was billed in besides tokens, counted in `costctl_units_total`. */
  units?: BilledUnits;
}

/**
 * Prices one successful call. Exact usage is priced from the provider's
 * reported cost or the price data; a call whose final usage never arrived
 * (a cut stream, an unreadable body) is priced from an estimate and says so.
 * A call is never silently $0: if it cannot be priced, the reason is given.
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

  if (exact && response.providerCostUsd !== undefined) {
    return { usage, model, cost: { usd: response.providerCostUsd, source: 'provider', pricedModel: model ?? 'unknown' }, unpricedReason: undefined };
  }
  if (model === undefined) return { usage, model, cost: undefined, unpricedReason: 'no_model' };

  const listed = table.price(adapter.name, adapter.pricingId, model, usage) ?? priceUnderAlias(adapter, model, usage, table);
  if (listed === undefined) return { usage, model, cost: undefined, unpricedReason: 'unknown_model' };
  const price = priceOnTier(adapter.pricingId, response.serviceTier, listed, usage);
  return {
    usage,
    model,
    cost: { usd: price.usd, source: exact ? 'price_table' : 'estimated', pricedModel: price.model },
    unpricedReason: undefined,
  };
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
