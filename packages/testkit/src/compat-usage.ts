/**
 * Usage as each flavour writes it, from the same token counts as OpenAI's
 * (see `usage.ts`): `T` input, `K` cached (part of `T`), `N` output words.
 * Reasoning models of flavours that report reasoning — {@link REASONING_MODELS}
 * — also think `R` = {@link REASONING_TOKENS} tokens, billed as output.
 *
 * | flavour | `usage` of a chat completion |
 * |---|---|
 * | `openai`, `azure`, `fireworks` | OpenAI's: `prompt_tokens: T`, `completion_tokens: N`, cached in `prompt_tokens_details` |
 * | `mistral` | `prompt_tokens`, `completion_tokens`, `total_tokens`; `prompt_tokens_details.cached_tokens` when `K > 0` |
 * | `groq` | OpenAI's counts plus `queue_time`, `prompt_time`, `completion_time`, `total_time` |
 * | `deepseek` | `completion_tokens: N + R`, `prompt_cache_hit_tokens: K`, `prompt_cache_miss_tokens: T - K`, and `cached_tokens: K` again |
 * | `xai` | `completion_tokens: N` without the reasoning, `total_tokens: T + N + R`, `cost_in_usd_ticks` |
 * | `openrouter` | OpenAI's counts plus `cost` (USD), `is_byok: false`, `cost_details` |
 * | `together` | `cached_tokens: K` at the top, `prompt_tokens_details: null` |
 */
import { type ProviderApi, field } from './api.js';
import type { Flavour } from './flavour.js';
import { responseModel } from './models.js';
import { tokenCounts } from './usage.js';

/** Models that reason before answering, where their flavour reports it. */
export const REASONING_MODELS: ReadonlySet<string> = new Set(['deepseek-reasoner', 'grok-3-mini', 'grok-4-fast-reasoning']);

/** Reasoning tokens of one answer of a reasoning model. */
export const REASONING_TOKENS = 32;

/** xAI's unit of cost: 10^10 ticks per USD. */
const TICKS_PER_USD = 1e10;

// USD per million tokens (input, cached input, output) the fake xAI and OpenRouter bill: those providers' list prices for these models.
const BILLED: Readonly<Record<string, readonly [number, number, number]>> = {
  'grok-3-mini': [0.3, 0.075, 0.5],
  'grok-4-fast-reasoning': [0.2, 0.05, 0.5],
  'openai/gpt-4o-mini': [0.15, 0.075, 0.6],
  'meta-llama/llama-3.3-70b-instruct': [0.13, 0.13, 0.4],
};
// Any other model: a round price, so a test can still predict it.
const BILLED_OTHERWISE: readonly [number, number, number] = [1, 0.25, 2];

/** A call's tokens in costctl's `TokenUsage` terms: cached inside input, reasoning inside output. */
export interface ExpectedTokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/**
 * The tokens a call to a flavour uses, in `TokenUsage` terms, whatever the
 * flavour's wire shape: what costctl must count.
 *
 * @example
 * expectedTokens('xai', 'openai.chat', { model: 'grok-3-mini', messages }) // { …, output: 24 + 32, reasoning: 32 }
 */
export function expectedTokens(flavour: Flavour, api: ProviderApi, body: object): ExpectedTokens {
  const counts = tokenCounts(api, body);
  const reasoning = reasoningTokens(flavour, api, body);
  return { input: counts.input, output: counts.output + reasoning, cacheRead: counts.cached, cacheWrite: 0, reasoning };
}

/**
 * The cost in USD a flavour reports for a call (xAI and OpenRouter), or
 * undefined for flavours that report none.
 *
 * @example
 * expectedReportedCost('openrouter', 'openai.chat', { model: 'openai/gpt-4o-mini', messages }) // e.g. 0.0000162
 */
export function expectedReportedCost(flavour: Flavour, api: ProviderApi, body: object): number | undefined {
  if (flavour !== 'xai' && flavour !== 'openrouter') return undefined;
  const tokens = expectedTokens(flavour, api, body);
  const model = responseModel(api, String(field(body, 'model') ?? ''), flavour);
  const [input, cached, output] = BILLED[model] ?? BILLED_OTHERWISE;
  const usd = ((tokens.input - tokens.cacheRead) * input + tokens.cacheRead * cached + tokens.output * output) / 1_000_000;
  // xAI bills whole ticks.
  return flavour === 'xai' ? Math.round(usd * TICKS_PER_USD) / TICKS_PER_USD : usd;
}

/**
 * The `usage` object of a chat completion (or FIM completion) as the flavour writes it.
 *
 * @example
 * flavourUsage('deepseek', 'openai.chat', body).prompt_cache_hit_tokens
 */
export function flavourUsage(flavour: Flavour, api: ProviderApi, body: object): Record<string, unknown> {
  const { input: t, cacheRead: k, reasoning: r, output } = expectedTokens(flavour, api, body);
  const n = output - r;
  const totals = { prompt_tokens: t, completion_tokens: n + r, total_tokens: t + n + r };
  switch (flavour) {
    case 'mistral':
      return { ...totals, ...(k > 0 ? { prompt_tokens_details: { cached_tokens: k } } : {}) };
    case 'groq':
      return { queue_time: 0.018343731, ...totals, prompt_time: 0.003870612, completion_time: 0.050909091, total_time: 0.054779703, ...details(k, r) };
    case 'deepseek':
      return { ...totals, prompt_tokens_details: { cached_tokens: k }, ...reasoningDetails(r), prompt_cache_hit_tokens: k, prompt_cache_miss_tokens: t - k };
    case 'xai':
      return {
        prompt_tokens: t,
        completion_tokens: n,
        total_tokens: t + n + r,
        prompt_tokens_details: { text_tokens: t, audio_tokens: 0, image_tokens: 0, cached_tokens: k },
        completion_tokens_details: { reasoning_tokens: r, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        num_sources_used: 0,
        cost_in_usd_ticks: Math.round((expectedReportedCost(flavour, api, body) ?? 0) * TICKS_PER_USD),
      };
    case 'openrouter':
      return openRouterUsage(totals, k, expectedReportedCost(flavour, api, body) ?? 0);
    case 'together':
      return { ...totals, cached_tokens: k, prompt_tokens_details: null, completion_tokens_details: null };
    case 'fireworks':
      return { prompt_tokens: t, total_tokens: t + n, completion_tokens: n, prompt_tokens_details: { cached_tokens: k } };
    case 'openai':
    case 'azure':
      return { ...totals, ...details(k, r) };
  }
}

function reasoningTokens(flavour: Flavour, api: ProviderApi, body: object): number {
  if (flavour !== 'deepseek' && flavour !== 'xai') return 0;
  return REASONING_MODELS.has(responseModel(api, String(field(body, 'model') ?? ''), flavour)) ? REASONING_TOKENS : 0;
}

function details(cached: number, reasoning: number): Record<string, unknown> {
  return {
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function reasoningDetails(reasoning: number): Record<string, unknown> {
  return reasoning > 0 ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {};
}

function openRouterUsage(totals: object, cached: number, cost: number): Record<string, unknown> {
  return {
    ...totals,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: cached, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: 0, upstream_inference_completions_cost: 0 },
    completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0, audio_tokens: 0 },
  };
}
