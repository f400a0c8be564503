import { chatCompletionsUsage } from '../openai/usage.js';
import type { BilledExtras, BilledStep } from '../types.js';
import { isRecord, type JsonRecord, recordAt, stringAt } from '../wire-values.js';

/** Groq's `executed_tools[].type`, and the costctl unit each is counted in; any other type is `other_tool_calls`. */
const TOOL_UNITS: Readonly<Record<string, string>> = Object.freeze({
  search: 'web_searches',
  visit: 'page_visits',
  python: 'code_executions',
});

/**
 * What a Groq compound system's answer bills: each model it ran, with its
 * own usage, in `usage_breakdown.models` (the top-level usage is their sum,
 * under the system's name, which has no price of its own), and each tool it
 * ran, in the message's `executed_tools`. Nothing for a plain model's answer.
 *
 * @example
 * groqCompoundExtras({ model: 'groq/compound', usage_breakdown: { models: [{ model: 'llama-3.3-70b-versatile', usage: { prompt_tokens: 138, completion_tokens: 4 } }] } })
 * // { steps: [{ kind: 'compound_model', model: 'llama-3.3-70b-versatile', usage: { input: 138, output: 4, … } }], stepsCoverUsage: true }
 */
export function groqCompoundExtras(body: JsonRecord): BilledExtras {
  const extras: BilledExtras = {};
  const models = recordAt(body, 'usage_breakdown')?.['models'];
  if (Array.isArray(models)) {
    const steps: BilledStep[] = [];
    for (const entry of models) {
      const model = isRecord(entry) ? stringAt(entry, 'model') : undefined;
      const usage = isRecord(entry) ? chatCompletionsUsage(entry['usage']) : undefined;
      if (model !== undefined && usage !== undefined) steps.push({ kind: 'compound_model', model, usage });
    }
    if (steps.length > 0) {
      extras.steps = steps;
      extras.stepsCoverUsage = true;
    }
  }
  const units = executedTools(body);
  if (units !== undefined) extras.units = units;
  return extras;
}

function executedTools(body: JsonRecord): Record<string, number> | undefined {
  const choices = body['choices'];
  if (!Array.isArray(choices)) return undefined;
  let units: Record<string, number> | undefined;
  for (const choice of choices) {
    const tools = recordAt(isRecord(choice) ? choice : undefined, 'message')?.['executed_tools'];
    if (!Array.isArray(tools)) continue;
    for (const tool of tools) {
      const unit = TOOL_UNITS[(isRecord(tool) ? stringAt(tool, 'type') : undefined) ?? ''] ?? 'other_tool_calls';
      units ??= {};
      units[unit] = (units[unit] ?? 0) + 1;
    }
  }
  return units;
}
