import type { BilledStep, BilledUnits, MediaTokens, TokenUsage } from './usage.js';

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
 * had tokens (OpenAI's audio) its provider bills at a rate the price data lacks for the model
 * (`modality_unpriced`; they are priced as text, and the call counted short).
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
