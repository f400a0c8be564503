import { tokenUsage } from '../token-usage.js';
import type { BilledExtras, BilledStep, TokenUsage } from '../types.js';
import { countAt, isRecord, type JsonRecord, recordAt, stringAt } from '../wire-values.js';

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

/** Anthropic's server-side tools billed per use, by `usage.server_tool_use` key, and the costctl unit each is counted in. */
const SERVER_TOOLS: readonly (readonly [key: string, unit: string])[] = [
  ['web_search_requests', 'web_searches'],
  ['web_fetch_requests', 'web_fetches'],
  ['code_execution_requests', 'code_executions'],
];

/**
 * What an Anthropic `usage` object bills besides its token counts: server
 * tool uses (`server_tool_use`), one-hour cache writes (`cache_creation`),
 * the tier (`service_tier`, `speed: fast`, `inference_geo: us`), and the steps of
 * `iterations` that the top-level counts leave out — a `compaction` (billed
 * at the call's model) and an `advisor_message` (billed at its own model).
 * The `message` iterations are what the top-level counts already sum.
 * Only what the object has is returned, so a later object (a stream's
 * `message_delta`) replaces what it reports and keeps the rest.
 *
 * @example
 * messagesExtras({ input_tokens: 180, output_tokens: 8, server_tool_use: { web_search_requests: 1 },
 *   iterations: [{ type: 'compaction', input_tokens: 100, output_tokens: 82 }, { type: 'message', input_tokens: 180, output_tokens: 8 }] })
 * // { units: { web_searches: 1 }, steps: [{ kind: 'compaction', usage: { input: 100, output: 82, … } }] }
 */
export function messagesExtras(usage: unknown): BilledExtras {
  if (!isRecord(usage)) return {};
  const extras: BilledExtras = {};
  const tools = recordAt(usage, 'server_tool_use');
  if (tools !== undefined) {
    const units: Record<string, number> = {};
    for (const [key, unit] of SERVER_TOOLS) {
      const count = countAt(tools, key);
      if (count !== undefined && count > 0) units[unit] = count;
    }
    if (Object.keys(units).length > 0) extras.units = units;
  }
  const cacheWrite1h = countAt(recordAt(usage, 'cache_creation'), 'ephemeral_1h_input_tokens');
  if (cacheWrite1h !== undefined && cacheWrite1h > 0) extras.mediaTokens = { cacheWrite1h };
  const tier = messagesTier(usage);
  if (tier !== undefined) extras.serviceTier = tier;
  const iterations = usage['iterations'];
  const steps = Array.isArray(iterations) ? billedSteps(iterations) : [];
  if (steps.length > 0) extras.steps = steps;
  return extras;
}

/**
 * The one tier a Messages usage is priced on: fast mode (`speed`), then the
 * `service_tier`, with US-only inference (`inference_geo: us`) marking a
 * standard call as `standard_us`.
 */
function messagesTier(usage: JsonRecord): string | undefined {
  if (usage['speed'] === 'fast') return 'fast';
  const tier = stringAt(usage, 'service_tier');
  return tier === 'standard' && usage['inference_geo'] === 'us' ? 'standard_us' : tier;
}

function billedSteps(iterations: readonly unknown[]): BilledStep[] {
  const steps: BilledStep[] = [];
  for (const iteration of iterations) {
    if (!isRecord(iteration)) continue;
    const kind = iteration['type'];
    if (kind !== 'compaction' && kind !== 'advisor_message') continue;
    const usage = messagesUsage(iteration);
    if (usage === undefined) continue;
    const step: BilledStep = { kind, usage };
    const model = stringAt(iteration, 'model');
    if (kind === 'advisor_message' && model !== undefined) step.model = model;
    const cacheWrite1h = countAt(recordAt(iteration, 'cache_creation'), 'ephemeral_1h_input_tokens');
    if (cacheWrite1h !== undefined && cacheWrite1h > 0) step.mediaTokens = { cacheWrite1h };
    steps.push(step);
  }
  return steps;
}
