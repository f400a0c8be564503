import { chatCompletionsUsage } from '../openai/usage.js';
import type { StreamUnitCounter } from '../openai/dialect.js';
import type { BilledExtras, BilledStep } from '../types.js';
import { isRecord, type JsonRecord, parseJson, recordAt, stringAt } from '../wire-values.js';

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
  const extras = breakdownExtras(recordAt(body, 'usage_breakdown'));
  const units = executedTools(body);
  if (units !== undefined) extras.units = units;
  return extras;
}

/**
 * The models a compound system's stream ran, from its final chunk's
 * `x_groq.usage_breakdown` (beside `x_groq.usage`, their sum; groq-python's
 * `ChatCompletionChunk.XGroq`), priced model by model as in the JSON answer.
 *
 * @example
 * groqCompoundChunkExtras({ x_groq: { usage: { … }, usage_breakdown: { models: [{ model: 'llama-3.3-70b-versatile', usage: { prompt_tokens: 138, completion_tokens: 4 } }] } } })
 * // { steps: [{ kind: 'compound_model', model: 'llama-3.3-70b-versatile', … }], stepsCoverUsage: true }
 */
export function groqCompoundChunkExtras(chunk: JsonRecord): BilledExtras {
  return breakdownExtras(recordAt(recordAt(chunk, 'x_groq'), 'usage_breakdown') ?? recordAt(chunk, 'usage_breakdown'));
}

function breakdownExtras(breakdown: JsonRecord | undefined): BilledExtras {
  const extras: BilledExtras = {};
  const models = breakdown?.['models'];
  if (!Array.isArray(models)) return extras;
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
  return extras;
}

/**
 * Counts the tools a compound system's stream ran, from the
 * `choices[].delta.executed_tools` of its events: a tool comes in several
 * events (its arguments, then its output) under one `index`, counted once.
 * Only events naming `executed_tools` are parsed; the state is one entry per
 * tool run.
 *
 * @example
 * const counter = groqToolCounter();
 * counter.add('{"choices":[{"index":0,"delta":{"executed_tools":[{"index":0,"type":"search"}]}}]}');
 * counter.units() // { web_searches: 1 }
 */
export function groqToolCounter(): StreamUnitCounter {
  const seen = new Set<string>();
  let units: Record<string, number> | undefined;
  return {
    add(data: string): void {
      if (!data.includes('"executed_tools"')) return;
      const chunk = parseJson(data);
      const choices = isRecord(chunk) ? chunk['choices'] : undefined;
      if (!Array.isArray(choices)) return;
      for (const choice of choices) {
        if (!isRecord(choice)) continue;
        const tools = recordAt(choice, 'delta')?.['executed_tools'];
        if (!Array.isArray(tools)) continue;
        for (const [position, tool] of tools.entries()) {
          if (!isRecord(tool)) continue;
          const key = `${String(choice['index'])}:${String(tool['index'] ?? position)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const unit = TOOL_UNITS[stringAt(tool, 'type') ?? ''] ?? 'other_tool_calls';
          units ??= {};
          units[unit] = (units[unit] ?? 0) + 1;
        }
      }
    },
    units: () => units,
  };
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
