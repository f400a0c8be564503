import type { BilledExtras, BilledUnits, TokenUsage } from '../types.js';
import type { JsonRecord } from '../wire-values.js';
import { chatCompletionsUsage, embeddingsUsage, openAiUsageExtras, responsesUsage } from './usage.js';

/**
 * How one OpenAI-compatible provider departs from OpenAI's wire format: the
 * OpenAI readers (chat stream, Responses stream, JSON bodies) take one of
 * these and read every compatible provider with the same code.
 */
export interface OpenAiDialect {
  /** Chat Completions (and legacy Completions) `usage`, in TokenUsage terms. */
  readonly chatUsage: (usage: unknown) => TokenUsage | undefined;
  /** Responses API `usage`. */
  readonly responsesUsage: (usage: unknown) => TokenUsage | undefined;
  /** Embeddings `usage`. */
  readonly embeddingsUsage: (usage: unknown) => TokenUsage | undefined;
  /** USD the provider reports having billed, read from the same `usage`; undefined when it reports none. */
  readonly cost: (usage: unknown) => number | undefined;
  /** Where a stream chunk keeps its usage: `usage`, or elsewhere (Groq's `x_groq.usage`). */
  readonly chunkUsage: (chunk: JsonRecord) => unknown;
  /** What the same `usage` bills besides its token counts (audio tokens, a provider's tool calls). */
  readonly usageExtras: (usage: unknown) => BilledExtras;
  /** What a Chat Completions body bills outside its `usage` (Groq's `usage_breakdown`); nothing for most. */
  readonly bodyExtras: (body: JsonRecord) => BilledExtras;
  /** What a stream's usage chunk bills outside its `usage` (Groq's `x_groq.usage_breakdown`); nothing for most. */
  readonly chunkExtras: (chunk: JsonRecord) => BilledExtras;
  /**
   * A counter of what a stream's events bill in their middle, fed every
   * event's data (Groq's `executed_tools` deltas); absent for most, whose
   * streams are read at their ends only.
   */
  readonly eventUnits?: () => StreamUnitCounter;
}

/** Counts billed units from a stream's events, in O(1) state per unit counted. */
export interface StreamUnitCounter {
  add(data: string): void;
  units(): BilledUnits | undefined;
}

/**
 * OpenAI's own wire format: usage totals include cached and reasoning
 * tokens, no cost is reported, stream usage sits in `usage`.
 *
 * @example
 * new ChatStreamReader(openAiDialect)
 */
export const openAiDialect: OpenAiDialect = Object.freeze({
  chatUsage: chatCompletionsUsage,
  responsesUsage,
  embeddingsUsage,
  cost: () => undefined,
  chunkUsage: (chunk: JsonRecord) => chunk['usage'],
  usageExtras: openAiUsageExtras,
  bodyExtras: () => ({}),
  chunkExtras: () => ({}),
});

/**
 * OpenAI's dialect with the parts a provider does differently.
 *
 * @example
 * const groq = openAiDialectWith({ chunkUsage: (chunk) => chunk['usage'] ?? recordAt(chunk, 'x_groq')?.['usage'] });
 */
export function openAiDialectWith(changes: Partial<OpenAiDialect>): OpenAiDialect {
  return Object.freeze({ ...openAiDialect, ...changes });
}

/**
 * A cost in USD as a provider reports it: a finite number above zero, else
 * undefined. Zero is not taken at its word — resellers and promotions report
 * it for calls someone still pays for — so those calls fall back to the price data.
 *
 * @example
 * reportedUsd(0.00001255) // 0.00001255
 * reportedUsd(0) // undefined
 */
export function reportedUsd(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
