import { tokenUsage } from '../token-usage.js';
import type { TokenUsage } from '../types.js';
import { countAt, isRecord, recordAt } from '../wire-values.js';

/** The valid counts of one Anthropic `usage` object; a missing or malformed count is left out. */
export interface MessagesUsageFields {
  /** `input_tokens`: input NOT read from or written to the cache. */
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/**
 * The valid counts of an Anthropic `usage` object. Spreading a later one over
 * an earlier one is how stream usage is updated: counts are cumulative and
 * replace, never add.
 *
 * @example
 * readUsageFields({ input_tokens: 12, cache_read_input_tokens: null, output_tokens: 1 })
 * // { input: 12, output: 1 }
 */
export function readUsageFields(usage: unknown): MessagesUsageFields {
  if (!isRecord(usage)) return {};
  const fields: MessagesUsageFields = {};
  const input = countAt(usage, 'input_tokens');
  const output = countAt(usage, 'output_tokens');
  const cacheRead = countAt(usage, 'cache_read_input_tokens');
  const cacheWrite = countAt(usage, 'cache_creation_input_tokens');
  const reasoning = countAt(recordAt(usage, 'output_tokens_details'), 'thinking_tokens');
  if (input !== undefined) fields.input = input;
  if (output !== undefined) fields.output = output;
  if (cacheRead !== undefined) fields.cacheRead = cacheRead;
  if (cacheWrite !== undefined) fields.cacheWrite = cacheWrite;
  if (reasoning !== undefined) fields.reasoning = reasoning;
  return fields;
}

/**
 * TokenUsage from Anthropic counts: `input_tokens` EXCLUDES the cache reads
 * and writes, so the total input adds them back. Undefined without input and
 * output counts.
 *
 * @example
 * messagesTokenUsage({ input: 4, cacheRead: 2048, cacheWrite: 100, output: 50 })
 * // { input: 2152, output: 50, cacheRead: 2048, cacheWrite: 100, reasoning: 0 }
 */
export function messagesTokenUsage(fields: MessagesUsageFields): TokenUsage | undefined {
  if (fields.input === undefined || fields.output === undefined) return undefined;
  const cacheRead = fields.cacheRead ?? 0;
  const cacheWrite = fields.cacheWrite ?? 0;
  return tokenUsage({
    input: fields.input + cacheRead + cacheWrite,
    output: fields.output,
    cacheRead,
    cacheWrite,
    reasoning: fields.reasoning,
  });
}

/**
 * TokenUsage from a Messages JSON `usage` object.
 *
 * @example
 * messagesUsage({ input_tokens: 4, cache_read_input_tokens: 2048, output_tokens: 50 })
 */
export function messagesUsage(usage: unknown): TokenUsage | undefined {
  return messagesTokenUsage(readUsageFields(usage));
}
