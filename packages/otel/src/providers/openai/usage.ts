import { tokenUsage } from '../token-usage.js';
import type { TokenUsage } from '../types.js';
import { countAt, isRecord, recordAt } from '../wire-values.js';

/**
 * Chat Completions (and legacy Completions) usage: `prompt_tokens` includes
 * the cached tokens, `completion_tokens` the reasoning tokens.
 *
 * @example
 * chatCompletionsUsage({ prompt_tokens: 2006, completion_tokens: 300,
 *   prompt_tokens_details: { cached_tokens: 1920 }, completion_tokens_details: { reasoning_tokens: 192 } })
 * // { input: 2006, output: 300, cacheRead: 1920, cacheWrite: 0, reasoning: 192 }
 */
export function chatCompletionsUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = countAt(usage, 'prompt_tokens');
  const output = countAt(usage, 'completion_tokens');
  if (input === undefined || output === undefined) return undefined;
  const inputDetails = recordAt(usage, 'prompt_tokens_details');
  return tokenUsage({
    input,
    output,
    cacheRead: countAt(inputDetails, 'cached_tokens'),
    cacheWrite: countAt(inputDetails, 'cache_write_tokens'),
    reasoning: countAt(recordAt(usage, 'completion_tokens_details'), 'reasoning_tokens'),
  });
}

/**
 * Responses API usage: `input_tokens` includes the cached tokens,
 * `output_tokens` the reasoning tokens.
 *
 * @example
 * responsesUsage({ input_tokens: 36, output_tokens: 87, input_tokens_details: { cached_tokens: 0 } })
 * // { input: 36, output: 87, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export function responsesUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = countAt(usage, 'input_tokens');
  const output = countAt(usage, 'output_tokens');
  if (input === undefined || output === undefined) return undefined;
  const inputDetails = recordAt(usage, 'input_tokens_details');
  return tokenUsage({
    input,
    output,
    cacheRead: countAt(inputDetails, 'cached_tokens'),
    cacheWrite: countAt(inputDetails, 'cache_write_tokens'),
    reasoning: countAt(recordAt(usage, 'output_tokens_details'), 'reasoning_tokens'),
  });
}

/**
 * Embeddings usage: `prompt_tokens` only; an embedding has no output tokens.
 *
 * @example
 * embeddingsUsage({ prompt_tokens: 8, total_tokens: 8 }) // { input: 8, output: 0, … }
 */
export function embeddingsUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = countAt(usage, 'prompt_tokens');
  return input === undefined ? undefined : tokenUsage({ input, output: 0 });
}
