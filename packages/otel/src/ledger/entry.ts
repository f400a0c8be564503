import type { CallResult } from '../transport/call.js';
import type { LedgerAdjustment } from './adjustment.js';

/**
 * One priced call, one line of the ledger. Never a prompt, a completion,
 * a key or a header: only what is needed to account for spend.
 */
export interface LedgerEntry {
  time: string;
  /** Absent on a call; `adjustment` on a correction to the provider's bill that an operator approved (`costctl reconcile --adjust`). */
  kind?: 'adjustment';
  provider: string;
  operation: string;
  model: string | null;
  response_model: string | null;
  /** The provider's id of the response, to match its bill. */
  response_id: string | null;
  outcome: 'ok' | 'error' | 'blocked';
  tokens: { input: number; output: number; cache_read: number; cache_write: number; reasoning: number };
  /** Units other than tokens the call was billed in (`audio_seconds`, a metered API's unit); absent when none. */
  units?: Record<string, number>;
  cost_usd: number | null;
  cost_source: 'provider' | 'price_table' | 'estimated' | 'adjustment' | null;
  unpriced_reason: string | null;
  duration_s: number;
  labels: Record<string, string>;
  pid: number;
  /** On an adjustment only: the day it corrects, why, who, from where, and the amounts compared. */
  adjustment?: LedgerAdjustment;
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
    ...(result.units === undefined ? {} : { units: { ...result.units } }),
    cost_usd: result.cost?.usd ?? null,
    cost_source: result.cost?.source ?? null,
    unpriced_reason: result.unpricedReason ?? null,
    duration_s: Math.round(result.durationSeconds * 1000) / 1000,
    labels,
    pid: process.pid,
  };
}
