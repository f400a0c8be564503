import type { ResponseFacts } from './types.js';

/**
 * The facts of a response that told us nothing (unreadable, or a reader failed).
 *
 * @example
 * noResponseFacts().usage // undefined
 */
export function noResponseFacts(): ResponseFacts {
  return {
    model: undefined,
    responseId: undefined,
    usage: undefined,
    usageComplete: false,
    providerCostUsd: undefined,
    outputTokenEstimate: 0,
  };
}
