import type { CallResult } from '../model/call-result.js';
import type { TokenUsage } from '../model/usage.js';
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
  tokens: LedgerTokens;
  /**
   * Steps billed outside `tokens` (a compaction, an advisor's sub-call), priced in `cost_usd`:
   * each step's kind, the model it ran on when not the call's own, and its tokens. Absent when none
   * (and on lines written before steps were kept).
   */
  steps?: LedgerStep[];
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
  /** `manual` on spend the app recorded itself (`recordCost`, a reservation's `settle`); absent on an observed HTTP call. */
  source?: 'manual';
  /** On an adjustment only: the day it corrects, why, who, from where, and the amounts compared. */
  adjustment?: LedgerAdjustment;
}

/** Token counts as the ledger writes them. */
export interface LedgerTokens {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
}

/** A step of a call billed outside its top-level usage, as the ledger writes it. */
export interface LedgerStep {
  kind: string;
  /** Absent when the step ran on the call's own model. */
  model?: string;
  tokens: LedgerTokens;
}

/**
 * The input and output tokens a ledger entry was billed for, as token
 * budget rules count them: its top-level usage plus its steps' (an entry
 * without `steps` counts its `tokens` alone).
 *
 * @example
 * billedTokensOf({ tokens: { input: 229, output: 5, … }, steps: [{ kind: 'compaction', tokens: { input: 55196, output: 131, … } }], … })
 * // { input: 55425, output: 136 }
 */
export function billedTokensOf(entry: {
  tokens?: Partial<Pick<LedgerTokens, 'input' | 'output'>>;
  steps?: readonly { tokens?: Partial<Pick<LedgerTokens, 'input' | 'output'>> }[];
}): { input: number; output: number } {
  let input = entry.tokens?.input ?? 0;
  let output = entry.tokens?.output ?? 0;
  if (Array.isArray(entry.steps)) {
    for (const step of entry.steps) {
      input += step?.tokens?.input ?? 0;
      output += step?.tokens?.output ?? 0;
    }
  }
  return { input, output };
}

/**
 * The ledger line of a finished call: its `LedgerEntry` as JSON, written out
 * directly because it runs once per call (no intermediate objects; strings
 * are escaped by `JSON.stringify`, once per distinct value for the values
 * that repeat; the time's minute is formatted once a minute).
 *
 * @example
 * ledgerLine(result, Date.now()) // '{"time":"2026-11-24T10:00:00.000Z","provider":"openai",…}\n'
 */
export function ledgerLine(result: CallResult, now: number): string {
  const { usage, cost, steps, labels } = result;
  let line =
    `{"time":"${isoTime(now)}","provider":${known(result.provider)},"operation":${known(result.operation)}` +
    `,"model":${known(result.requestModel ?? result.model)},"response_model":${known(result.responseModel)},"response_id":${text(result.responseId)}` +
    `,"outcome":${known(result.outcome)},"tokens":${tokens(usage)}`;
  if (steps !== undefined && steps.length > 0) {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      line += `${i === 0 ? ',"steps":[' : ','}{"kind":${known(step.kind)}${step.model === undefined ? '' : `,"model":${known(step.model)}`},"tokens":${tokens(step.usage)}}`;
    }
    line += ']';
  }
  if (result.units !== undefined) line += `,"units":${JSON.stringify(result.units)}`;
  line +=
    `,"cost_usd":${cost === undefined ? 'null' : num(cost.usd)},"cost_source":${known(cost?.source)},"unpriced_reason":${known(result.unpricedReason)}` +
    (result.budgetUsd === undefined ? '' : `,"budget_usd":${num(result.budgetUsd)}`) +
    `,"duration_s":${num(Math.round(result.durationSeconds * 1000) / 1000)},"labels":{`;
  let first = true;
  for (const key in labels) {
    const value = labels[key];
    if (value === undefined) continue;
    line += `${first ? '' : ','}${known(key)}:${JSON.stringify(String(value))}`;
    first = false;
  }
  return `${line}},"pid":${process.pid}${result.source === undefined ? '' : `,"source":${known(result.source)}`}}\n`;
}

const MINUTE = 60_000;
/** The minute `isoTime` last formatted, and its ISO text up to the seconds: `Date#toISOString` costs more than the rest of a line. */
let minuteStart = Number.NaN;
let minuteText = '';

/** `new Date(now).toISOString()`, formatting only the seconds and milliseconds within a minute seen before. */
function isoTime(now: number): string {
  // A time that is not a whole ms is formatted as Date truncates it; an invalid one throws as Date does.
  if (!Number.isInteger(now)) return new Date(now).toISOString();
  let ms = now - minuteStart;
  if (!(ms >= 0 && ms < MINUTE)) {
    ms = ((now % MINUTE) + MINUTE) % MINUTE;
    minuteText = new Date(now - ms).toISOString().slice(0, -'00.000Z'.length);
    minuteStart = now - ms;
  }
  const seconds = (ms / 1000) | 0;
  const millis = ms % 1000;
  return `${minuteText}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

function tokens(usage: TokenUsage): string {
  return (
    `{"input":${num(usage.input)},"output":${num(usage.output)},"cache_read":${num(usage.cacheRead)}` +
    `,"cache_write":${num(usage.cacheWrite)},"reasoning":${num(usage.reasoning)}}`
  );
}

function text(value: string | undefined): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** Values of few kinds (providers, models, outcomes, label names), as JSON text: made once each rather than escaped on every line. */
const knownText = new Map<string, string>();
/** Past this many, the values are ones that do not repeat much: the map starts over rather than grow. */
const MAX_KNOWN = 256;

/** `text(value)` for a value that repeats from call to call. */
function known(value: string | undefined): string {
  if (value === undefined) return 'null';
  let json = knownText.get(value);
  if (json === undefined) {
    if (knownText.size >= MAX_KNOWN) knownText.clear();
    json = JSON.stringify(value);
    knownText.set(value, json);
  }
  return json;
}

/** A number as JSON writes it: NaN and infinities as null. */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
