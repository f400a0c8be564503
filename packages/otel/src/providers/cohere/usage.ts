import { tokenUsage } from '../token-usage.js';
import type { BilledUnits, MediaTokens, TokenUsage } from '../types.js';
import { countAt, isRecord, recordAt } from '../wire-values.js';

/**
 * Chat usage (v2 `usage`, and the `message-end` event's `delta.usage`):
 * priced from `billed_units` — what Cohere bills, which leaves out the
 * tokens of its own prompt template that `tokens` counts — and from
 * `tokens` only when a response has no billed units.
 *
 * @example
 * cohereChatUsage({ billed_units: { input_tokens: 5, output_tokens: 26 }, tokens: { input_tokens: 71, output_tokens: 26 } })
 * // { input: 5, output: 26, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export function cohereChatUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  return counts(recordAt(usage, 'billed_units')) ?? counts(recordAt(usage, 'tokens'));
}

function counts(units: Record<string, unknown> | undefined): TokenUsage | undefined {
  const input = countAt(units, 'input_tokens');
  const output = countAt(units, 'output_tokens');
  if (input === undefined && output === undefined) return undefined;
  return tokenUsage({ input: input ?? 0, output: output ?? 0 });
}

/** What an answer was billed: text and image tokens, and other units (images, search units) counted as such. */
export interface CohereBilled {
  usage: TokenUsage;
  mediaTokens?: Partial<MediaTokens>;
  units?: BilledUnits;
}

/**
 * Embed usage, from `meta.billed_units`: `input_tokens` of text, plus
 * `image_tokens` (counted as input, their image part) or `images` (a unit of
 * its own, which the price data has no price for).
 *
 * @example
 * cohereEmbedUsage({ api_version: { version: '2' }, billed_units: { input_tokens: 2 } })
 * // { usage: { input: 2, output: 0, … } }
 */
export function cohereEmbedUsage(meta: unknown): CohereBilled | undefined {
  const billed = recordAt(isRecord(meta) ? meta : undefined, 'billed_units');
  const text = countAt(billed, 'input_tokens');
  const imageTokens = countAt(billed, 'image_tokens');
  const images = countAt(billed, 'images');
  if (text === undefined && imageTokens === undefined && images === undefined) return undefined;
  const found: CohereBilled = { usage: tokenUsage({ input: (text ?? 0) + (imageTokens ?? 0), output: 0 }) };
  if (imageTokens !== undefined) found.mediaTokens = { inputImage: imageTokens };
  if (images !== undefined && images > 0) found.units = { images };
  return found;
}

/**
 * Rerank usage, from `meta.billed_units.search_units`: a unit of its own
 * (one search is a query over up to 100 documents), no tokens.
 *
 * @example
 * cohereRerankUsage({ billed_units: { search_units: 1 } })
 * // { usage: { input: 0, output: 0, … }, units: { search_units: 1 } }
 */
export function cohereRerankUsage(meta: unknown): CohereBilled | undefined {
  const searches = countAt(recordAt(isRecord(meta) ? meta : undefined, 'billed_units'), 'search_units');
  if (searches === undefined) return undefined;
  return { usage: tokenUsage({ input: 0, output: 0 }), units: { search_units: searches } };
}
