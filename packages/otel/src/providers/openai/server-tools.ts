import type { BilledExtras } from '../types.js';
import { isRecord, type JsonRecord } from '../wire-values.js';

/** Responses API output items of tools OpenAI runs and bills per call, and the costctl unit each is counted in. */
const TOOL_ITEMS: Readonly<Record<string, string>> = Object.freeze({
  web_search_call: 'web_searches',
  file_search_call: 'file_searches',
  code_interpreter_call: 'code_executions',
  image_generation_call: 'image_generations',
});

/**
 * What a Responses API answer bills besides its tokens: each call of a tool
 * OpenAI runs itself is an item of `output` (`web_search_call`,
 * `file_search_call`, …), counted by unit. Empty for an answer without one.
 * The answer is read once, at its end (the JSON body, or a stream's
 * `response.completed`), so this is O(items) once per call.
 *
 * @example
 * responsesExtras(undefined, { output: [{ type: 'web_search_call' }, { type: 'message' }] }) // { units: { web_searches: 1 } }
 */
export function responsesExtras(_usage: unknown, response: JsonRecord | undefined): BilledExtras {
  const output = response?.['output'];
  if (!Array.isArray(output)) return {};
  let units: Record<string, number> | undefined;
  for (const item of output) {
    const unit = isRecord(item) && typeof item['type'] === 'string' ? TOOL_ITEMS[item['type']] : undefined;
    if (unit === undefined) continue;
    units ??= {};
    units[unit] = (units[unit] ?? 0) + 1;
  }
  return units === undefined ? {} : { units };
}
