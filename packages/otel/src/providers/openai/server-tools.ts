import type { BilledExtras } from '../types.js';
import { isRecord, type JsonRecord, stringAt } from '../wire-values.js';

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

/** Chat Completions models that search the web on every call (`gpt-4o-search-preview`, `gpt-5-search-api`…). */
const SEARCH_MODEL = /-search-(preview|api)\b/;

/**
 * The search a Chat Completions search model ran: each call of one is billed
 * a web search besides its tokens, which the usage does not say.
 *
 * @example
 * chatSearchExtras('gpt-4o-search-preview-2025-03-11') // { units: { web_searches: 1 } }
 * chatSearchExtras('gpt-4o-mini') // {}
 */
export function chatSearchExtras(model: string | undefined): BilledExtras {
  return model !== undefined && SEARCH_MODEL.test(model) ? { units: { web_searches: 1 } } : {};
}

/**
 * A Chat Completions body's extras: what its usage bills (`usageExtras`), and the search of a search model.
 *
 * @example
 * chatExtras(openAiUsageExtras, () => ({}))(usage, body)
 */
export function chatExtras(
  usageExtras: (usage: unknown) => BilledExtras,
  bodyExtras: (body: JsonRecord) => BilledExtras,
): (usage: unknown, body: JsonRecord | undefined) => BilledExtras {
  return (usage, body) => {
    const own = usageExtras(usage);
    const fromBody = body === undefined ? undefined : bodyExtras(body);
    // Joined only when the body bills something: most answers bill nothing besides their usage.
    return withSearch(fromBody === undefined || isEmpty(fromBody) ? own : { ...own, ...fromBody }, stringAt(body, 'model'));
  };
}

function isEmpty(extras: BilledExtras): boolean {
  for (const _ in extras) return false;
  return true;
}

/**
 * `extras` with the search of a search model added to its units.
 *
 * @example
 * withSearch({ mediaTokens: { inputAudio: 3 } }, 'gpt-4o-search-preview') // { mediaTokens: { inputAudio: 3 }, units: { web_searches: 1 } }
 */
export function withSearch(extras: BilledExtras, model: string | undefined): BilledExtras {
  const search = chatSearchExtras(model).units;
  return search === undefined ? extras : { ...extras, units: { ...extras.units, ...search } };
}
