import { reportedUsd } from '../openai/dialect.js';
import { chatUsageReader, openAiUsageExtras, responsesUsageReader } from '../openai/usage.js';
import type { BilledExtras } from '../types.js';
import { countAt, isRecord, type JsonRecord, recordAt } from '../wire-values.js';

/** xAI reports cost in ticks: 1 USD = 10^10 ticks (docs.x.ai, Cost Tracking). */
export const TICKS_PER_USD = 1e10;

/**
 * All output tokens of an xAI answer. xAI's output count leaves the
 * reasoning tokens out (`total_tokens` = input + output + reasoning); a
 * reseller that folds them in says so with `total_tokens` = input + output.
 */
function outputWithReasoning(inputKey: string): (usage: JsonRecord, reported: number, reasoning: number) => number {
  return (usage, reported, reasoning) => {
    const total = countAt(usage, 'total_tokens');
    const input = countAt(usage, inputKey) ?? 0;
    return total !== undefined && total === input + reported ? reported : reported + reasoning;
  };
}

/**
 * xAI Chat Completions usage, reasoning tokens added to the output.
 *
 * @example
 * xaiChatUsage({ prompt_tokens: 288, completion_tokens: 27, total_tokens: 628, completion_tokens_details: { reasoning_tokens: 313 } })
 * // { input: 288, output: 340, cacheRead: 0, cacheWrite: 0, reasoning: 313 }
 */
export const xaiChatUsage = chatUsageReader({ output: outputWithReasoning('prompt_tokens') });

/**
 * xAI Responses API usage, read with the same rule.
 *
 * @example
 * xaiResponsesUsage({ input_tokens: 10, output_tokens: 5, total_tokens: 35, output_tokens_details: { reasoning_tokens: 20 } }).output // 25
 */
export const xaiResponsesUsage = responsesUsageReader({ output: outputWithReasoning('input_tokens') });

/**
 * The cost xAI billed, from `usage.cost_in_usd_ticks`.
 *
 * @example
 * xaiCost({ cost_in_usd_ticks: 37756000 }) // 0.0037756
 */
export function xaiCost(usage: unknown): number | undefined {
  if (!isRecord(usage)) return undefined;
  const ticks = countAt(usage, 'cost_in_usd_ticks');
  return ticks === undefined ? undefined : reportedUsd(ticks / TICKS_PER_USD);
}

/** xAI's server-side tool calls by `server_side_tool_usage_details` key, and the costctl unit each is counted in. */
const TOOL_CALLS: readonly (readonly [key: string, unit: string])[] = [
  ['web_search_calls', 'web_searches'],
  ['x_search_calls', 'x_searches'],
  ['code_interpreter_calls', 'code_executions'],
  ['file_search_calls', 'file_searches'],
];

/**
 * What an xAI `usage` bills besides its tokens: the sources Live Search
 * read (`num_sources_used`) and the calls of its server-side tools
 * (`server_side_tool_usage_details`), each counted by unit. The cost xAI
 * reports includes them.
 *
 * @example
 * xaiUsageExtras({ prompt_tokens: 10, completion_tokens: 2, num_sources_used: 12 }) // { units: { search_sources: 12 } }
 */
export function xaiUsageExtras(usage: unknown): BilledExtras {
  const extras = openAiUsageExtras(usage);
  if (!isRecord(usage)) return extras;
  const units: Record<string, number> = {};
  const sources = countAt(usage, 'num_sources_used');
  if (sources !== undefined && sources > 0) units['search_sources'] = sources;
  const tools = recordAt(usage, 'server_side_tool_usage_details');
  for (const [key, unit] of TOOL_CALLS) {
    const count = countAt(tools, key);
    if (count !== undefined && count > 0) units[unit] = count;
  }
  return Object.keys(units).length > 0 ? { ...extras, units } : extras;
}
