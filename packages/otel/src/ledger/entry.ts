import type { CallResult } from '../transport/call.js';

/**
 * One priced call, one line of the ledger. Never a prompt, a completion,
 * a key or a header: only what is needed to account for spend.
 */
export interface LedgerEntry {
  time: string;
  provider: string;
  operation: string;
  model: string | null;
  response_model: string | null;
  /** The provider's id of the response, to match its bill. */
  response_id: string | null;
  outcome: 'ok' | 'error' | 'blocked';
  tokens: { input: number; output: number; cache_read: number; cache_write: number; reasoning: number };
  cost_usd: number | null;
  cost_source: 'provider' | 'price_table' | 'estimated' | null;
  unpriced_reason: string | null;
  duration_s: number;
  labels: Record<string, string>;
  pid: number;
}

/** The ledger line of a finished call. */
export function ledgerEntry(result: CallResult, now: number): LedgerEntry {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.labels)) if (value !== undefined) labels[key] = String(value);
  return {
    time: new Date(now).toISOString(),
    provider: result.provider,
    operation: result.operation,
    model: result.requestModel ?? result.model ?? null,
    response_model: result.responseModel ?? null,
    response_id: result.responseId ?? null,
    outcome: result.outcome,
    tokens: {
      input: result.usage.input,
      output: result.usage.output,
      cache_read: result.usage.cacheRead,
      cache_write: result.usage.cacheWrite,
      reasoning: result.usage.reasoning,
    },
    cost_usd: result.cost?.usd ?? null,
    cost_source: result.cost?.source ?? null,
    unpriced_reason: result.unpricedReason ?? null,
    duration_s: Math.round(result.durationSeconds * 1000) / 1000,
    labels,
    pid: process.pid,
  };
}
