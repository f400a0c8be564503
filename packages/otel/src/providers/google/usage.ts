import { tokenUsage } from '../token-usage.js';
import type { TokenUsage } from '../types.js';
import { countAt, isRecord, recordAt } from '../wire-values.js';

/**
 * TokenUsage from a Gemini `usageMetadata` object, counted the way Google
 * bills it (and `@pydantic/genai-prices` reads it):
 * - input: `promptTokenCount` (which already includes `cachedContentTokenCount`)
 *   plus `toolUsePromptTokenCount` (tool results the model read);
 * - output: `candidatesTokenCount` plus `thoughtsTokenCount`, which Google
 *   reports outside the candidates' count but bills as output;
 * - cache read: `cachedContentTokenCount`; reasoning: `thoughtsTokenCount`.
 *
 * Undefined without a prompt count; an answer with no candidates count (an
 * embedding, or a stream's first chunks) has output 0.
 *
 * @example
 * geminiUsage({ promptTokenCount: 9, candidatesTokenCount: 24, thoughtsTokenCount: 310, totalTokenCount: 343 })
 * // { input: 9, output: 334, cacheRead: 0, cacheWrite: 0, reasoning: 310 }
 */
export function geminiUsage(usageMetadata: unknown): TokenUsage | undefined {
  if (!isRecord(usageMetadata)) return undefined;
  const prompt = countAt(usageMetadata, 'promptTokenCount');
  if (prompt === undefined) return undefined;
  const thoughts = countAt(usageMetadata, 'thoughtsTokenCount') ?? 0;
  return tokenUsage({
    input: prompt + (countAt(usageMetadata, 'toolUsePromptTokenCount') ?? 0),
    output: (countAt(usageMetadata, 'candidatesTokenCount') ?? 0) + thoughts,
    cacheRead: countAt(usageMetadata, 'cachedContentTokenCount'),
    reasoning: thoughts,
  });
}

/**
 * Input tokens of a Vertex AI `:predict` embeddings answer: the sum of each
 * prediction's `embeddings.statistics.token_count`. Undefined when no
 * prediction has one.
 *
 * @example
 * predictionsUsage([{ embeddings: { statistics: { token_count: 3 } } }, { embeddings: { statistics: { token_count: 6 } } }])
 * // { input: 9, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export function predictionsUsage(predictions: unknown): TokenUsage | undefined {
  if (!Array.isArray(predictions)) return undefined;
  let input: number | undefined;
  for (const prediction of predictions) {
    const count = countAt(recordAt(recordAt(isRecord(prediction) ? prediction : undefined, 'embeddings'), 'statistics'), 'token_count');
    if (count !== undefined) input = (input ?? 0) + count;
  }
  return input === undefined ? undefined : tokenUsage({ input, output: 0 });
}
