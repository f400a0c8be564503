import { CostctlArgumentError } from '../model/errors.js';
import type { MediaTokens, TokenUsage } from '../model/usage.js';
import type { CostEstimate, CostSpend } from './manual.js';

// What the app passes to recordCost, check, reserve and settle, checked before anything is counted: bad input is a bug in the app, told at once.

const USAGE_KEYS: readonly (keyof TokenUsage)[] = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'];
const MEDIA_KEYS: ReadonlySet<string> = new Set<keyof MediaTokens>([
  'inputAudio',
  'inputImage',
  'inputVideo',
  'outputAudio',
  'outputImage',
  'outputVideo',
  'cacheReadAudio',
  'cacheReadImage',
  'cacheReadVideo',
  'cacheWrite1h',
]);

/** One clear error per bad field: which call, which field, what was given, what is allowed. */
function invalid(api: string, field: string, value: unknown, expected: string): CostctlArgumentError {
  return new CostctlArgumentError(`costctl ${api}(): ${field} is ${describe(value)}; expected ${expected}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function checkAmount(api: string, field: string, value: unknown, unit: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
    throw invalid(api, field, value, `a finite number of ${unit}, 0 or more`);
}

function checkCommon(api: string, spend: { provider?: unknown; model?: unknown; operation?: unknown; labels?: unknown }): void {
  if (typeof spend !== 'object' || spend === null)
    throw invalid(api, 'its argument', spend, 'an object such as { provider: "openai", model: "gpt-4o-mini", usage: { input: 1200, output: 300 } }');
  if (typeof spend.provider !== 'string' || spend.provider === '')
    throw invalid(api, 'provider', spend.provider, 'the gen_ai.provider.name of who bills the spend, e.g. "openai"');
  if (spend.model !== undefined && (typeof spend.model !== 'string' || spend.model === ''))
    throw invalid(api, 'model', spend.model, 'the model id as the provider names it, or no model');
  if (spend.operation !== undefined && (typeof spend.operation !== 'string' || spend.operation === ''))
    throw invalid(api, 'operation', spend.operation, 'a gen_ai.operation.name such as "chat" or "batch"');
  if (spend.labels !== undefined && (typeof spend.labels !== 'object' || spend.labels === null || Array.isArray(spend.labels))) {
    throw invalid(api, 'labels', spend.labels, 'an object of allow-listed label names to string values');
  }
}

export function checkSpend(api: string, spend: CostSpend): void {
  checkCommon(api, spend);
  const { usage, usd } = spend;
  if (usage !== undefined) {
    if (typeof usage !== 'object' || usage === null) throw invalid(api, 'usage', usage, 'token counts such as { input: 1200, output: 300 }');
    for (const key of USAGE_KEYS) checkAmount(api, `usage.${key}`, usage[key], 'tokens');
    // Providers that count cached input apart (Anthropic) would otherwise be priced short.
    const cached = (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0);
    if (cached > (usage.input ?? 0)) {
      throw invalid(
        api,
        'usage.input',
        usage.input ?? 0,
        `all input tokens, cached ones included: at least usage.cacheRead + usage.cacheWrite (${cached}); add the cached tokens to input`,
      );
    }
    if ((usage.reasoning ?? 0) > (usage.output ?? 0)) {
      throw invalid(
        api,
        'usage.output',
        usage.output ?? 0,
        `all output tokens, reasoning included: at least usage.reasoning (${usage.reasoning}); add the reasoning tokens to output`,
      );
    }
  }
  if (spend.media !== undefined) {
    if (typeof spend.media !== 'object' || spend.media === null)
      throw invalid(api, 'media', spend.media, 'the media parts of usage such as { inputAudio: 3000, outputAudio: 1200 }');
    for (const [key, count] of Object.entries(spend.media)) {
      if (!MEDIA_KEYS.has(key)) throw invalid(api, `media.${key}`, count, `one of ${[...MEDIA_KEYS].join(', ')}`);
      checkAmount(api, `media.${key}`, count, 'tokens');
    }
  }
  checkAmount(api, 'usd', usd, 'US dollars');
  checkAmount(api, 'durationSeconds', spend.durationSeconds, 'seconds');
  if (usage === undefined && usd === undefined) {
    throw new CostctlArgumentError(
      `costctl ${api}(): the spend has neither usage nor usd; expected usage (token counts, priced from the price data) or usd (the amount billed), or both`,
    );
  }
  if (spend.id !== undefined && typeof spend.id !== 'string') throw invalid(api, 'id', spend.id, "the provider's id of the session or invoice, a string");
}

export function checkEstimate(api: string, estimate: CostEstimate): void {
  checkCommon(api, estimate);
  checkAmount(api, 'inputTokens', estimate.inputTokens, 'tokens');
  checkAmount(api, 'maxOutputTokens', estimate.maxOutputTokens, 'tokens');
  checkAmount(api, 'usd', estimate.usd, 'US dollars');
}
