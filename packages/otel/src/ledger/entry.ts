import type { CallResult } from '../model/call-result.js';
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
  /** What budgets counted for an unpriced call, at the provider's highest known price (`unknownModel: estimate`); absent otherwise. */
  budget_usd?: number;
  duration_s: number;
  labels: Record<string, string>;
  pid: number;
  /** On an adjustment only: the day it corrects, why, who, from where, and the amounts compared. */
  adjustment?: LedgerAdjustment;
}

/**
 * The ledger line of a finished call: its `LedgerEntry` as JSON, written out
 * directly because it runs once per call (no intermediate objects; strings
 * are still escaped by `JSON.stringify`).
 *
 * @example
 * ledgerLine(result, Date.now()) // '{"time":"2026-11-24T10:00:00.000Z","provider":"openai",…}\n'
 */
export function ledgerLine(result: CallResult, now: number): string {
  const { usage, cost } = result;
  let line =
    `{"time":"${new Date(now).toISOString()}","provider":${text(result.provider)},"operation":${text(result.operation)}` +
    `,"model":${text(result.requestModel ?? result.model)},"response_model":${text(result.responseModel)},"response_id":${text(result.responseId)}` +
    `,"outcome":${text(result.outcome)},"tokens":{"input":${num(usage.input)},"output":${num(usage.output)},"cache_read":${num(usage.cacheRead)}` +
    `,"cache_write":${num(usage.cacheWrite)},"reasoning":${num(usage.reasoning)}}`;
  if (result.units !== undefined) line += `,"units":${JSON.stringify(result.units)}`;
  line +=
    `,"cost_usd":${cost === undefined ? 'null' : num(cost.usd)},"cost_source":${text(cost?.source)},"unpriced_reason":${text(result.unpricedReason)}` +
    (result.budgetUsd === undefined ? '' : `,"budget_usd":${num(result.budgetUsd)}`) +
    `,"duration_s":${num(Math.round(result.durationSeconds * 1000) / 1000)},"labels":{`;
  let first = true;
  for (const key in result.labels) {
    const value = result.labels[key];
    if (value === undefined) continue;
    line += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(String(value))}`;
    first = false;
  }
  return `${line}},"pid":${process.pid}}\n`;
}

function text(value: string | undefined): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** A number as JSON writes it: NaN and infinities as null. */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
