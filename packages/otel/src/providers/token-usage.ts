import type { TokenUsage } from './types.js';

/** Counts as a provider reports them, before the parts are checked against the totals. */
export interface UsageCounts {
  input: number;
  output: number;
  cacheRead?: number | undefined;
  cacheWrite?: number | undefined;
  reasoning?: number | undefined;
}

/**
 * A TokenUsage whose parts never exceed their totals (each cache count within
 * input, reasoning within output), whatever a provider sent. Cache reads and
 * writes are kept as reported even when together they pass the input (an
 * aggregator may count a token as both): the price data is given a
 * consistent copy, the metrics the provider's numbers.
 *
 * @example
 * tokenUsage({ input: 100, output: 20, cacheRead: 80 })
 * // { input: 100, output: 20, cacheRead: 80, cacheWrite: 0, reasoning: 0 }
 */
export function tokenUsage(counts: UsageCounts): TokenUsage {
  const cacheRead = Math.min(counts.cacheRead ?? 0, counts.input);
  const cacheWrite = Math.min(counts.cacheWrite ?? 0, counts.input);
  const reasoning = Math.min(counts.reasoning ?? 0, counts.output);
  return { input: counts.input, output: counts.output, cacheRead, cacheWrite, reasoning };
}
