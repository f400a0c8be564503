import type { CostSource, UnpricedReason } from '../model/cost.js';
import type { CostctlBlockedError } from '../model/errors.js';
import { logger } from '../model/logger.js';
import type { MediaTokens, OperationName, TokenUsage } from '../model/usage.js';
import { reportInternalError } from './internal-error.js';
import { checkEstimate, checkSpend } from './manual-input.js';
import type { ManualSpend } from './manual-spend.js';

/**
 * Spend that happened outside HTTP: a Realtime (WebSocket) session, a gRPC
 * call, a batch job, an invoice. Give `usage` to have it priced from the
 * price data, `usd` when the amount billed is known (it wins, counted with
 * cost source `provider`), or both.
 *
 * @example
 * const spend: CostSpend = { provider: 'openai', model: 'gpt-realtime', usage: { input: 5200, output: 1800, cacheRead: 4000 } };
 */
export interface CostSpend {
  /** Who bills it: a `gen_ai.provider.name` such as `openai`, or any other name for a service costctl does not observe. */
  provider: string;
  /** The model as the provider names it; the one priced. */
  model?: string;
  /** Token counts; any left out is 0. `input` counts all input, cached tokens included, as on the HTTP path. */
  usage?: Partial<TokenUsage>;
  /**
   * The image, audio and video parts of `usage` (each also counted in its
   * `input`, `output` or cache count), priced at their own rates where the
   * price data has them: a Realtime session's audio costs more than its text.
   */
  media?: Partial<MediaTokens>;
  /** The amount billed, in US dollars. */
  usd?: number;
  /** The `gen_ai.operation.name` (default `chat`). */
  operation?: OperationName;
  /** Metric and ledger labels; only keys allow-listed by `COSTCTL_LABELS` are kept, as for baggage labels. */
  labels?: Readonly<Record<string, string>>;
  /** The provider's id of the session, job or invoice line, written to the ledger to match its bill. */
  id?: string;
  /** How long the spend took, for `gen_ai.client.operation.duration`; spend without one is left out of that histogram. */
  durationSeconds?: number;
}

/**
 * What was spent, when settling a reservation: its provider and labels are
 * the reservation's, its model too unless the spend names another.
 *
 * @example
 * const actual: SpendActual = { usage: { input: 5200, output: 1800 } };
 */
export type SpendActual = Omit<CostSpend, 'provider' | 'labels' | 'operation'>;

/**
 * A call's worst case, before it starts: `inputTokens` plus `maxOutputTokens`
 * (or the configured `defaultMaxOutputTokens`) at the model's price, or at
 * the provider's highest known price when the price data does not know the
 * model; or `usd` when the caller knows its worst case in dollars.
 *
 * @example
 * const estimate: CostEstimate = { provider: 'openai', model: 'gpt-realtime', inputTokens: 8000, maxOutputTokens: 4096 };
 */
export interface CostEstimate {
  provider: string;
  model?: string;
  inputTokens?: number;
  maxOutputTokens?: number;
  usd?: number;
  operation?: OperationName;
  labels?: Readonly<Record<string, string>>;
}

/**
 * What was recorded, as metrics and budgets counted it.
 *
 * @example
 * // { usd: 0.0186, costSource: 'price_table', unpricedReason: undefined, budgetUsd: 0.0186 }
 */
export interface RecordedCost {
  /** The cost, or undefined when it could not be priced (see `unpricedReason`). */
  usd: number | undefined;
  costSource: CostSource | undefined;
  unpricedReason: UnpricedReason | undefined;
  /** What dollar budgets counted: the cost, or for a model the price data does not know its estimate at the provider's highest known price. */
  budgetUsd: number;
}

/**
 * The answer of `check`: admitted, or the error `reserve` would reject with now.
 *
 * @example
 * const answer: CostCheck = await check({ provider: 'openai', model: 'gpt-realtime', maxOutputTokens: 4096 });
 * if (!answer.admitted) console.warn(answer.error.message);
 */
export type CostCheck = { admitted: true } | { admitted: false; error: CostctlBlockedError };

/**
 * A worst case held against budgets until it is settled or released. One
 * never settled is let go when its lease runs out, as an HTTP call's is.
 *
 * @example
 * const held = await reserve({ provider: 'openai', model: 'gpt-realtime', maxOutputTokens: 4096 });
 * try { held.settle(await runSession()); } catch (error) { held.release(); throw error; }
 */
export interface CostReservation {
  /** Replaces the worst case with what was spent, and records it; undefined once already settled or released. */
  settle(actual: SpendActual): RecordedCost | undefined;
  /** Gives back what was held: nothing was spent (the session never opened). */
  release(): void;
}

let current: ManualSpend | 'disabled' | undefined;
let warnedNotRunning = false;

/** Puts recorded spend through a running costctl's parts until the returned function is called (`shutdown`). */
export function lendManualSpend(spend: ManualSpend | 'disabled'): () => void {
  current = spend;
  return () => {
    if (current === spend) current = undefined;
  };
}

/** Read as register.ts reads it: `--import @costctl/otel/register` under COSTCTL_DISABLED loads nothing, so nothing is lent. */
const disabledByEnvironment = (): boolean => /^(true|1)$/i.test(process.env['COSTCTL_DISABLED']?.trim() ?? '');

function running(api: string): ManualSpend | undefined {
  if (current === 'disabled') return undefined;
  if (current === undefined && !warnedNotRunning) {
    warnedNotRunning = true;
    // Disabled on purpose is not forgotten: no warning asks to start it.
    if (!disabledByEnvironment())
      logger.warn(
        `costctl is not running in this process, so ${api}() counts nothing against budgets: start it with node --import @costctl/otel/register or start()`,
      );
  }
  return current;
}

const admitted: CostCheck = Object.freeze({ admitted: true });
const unheld: CostReservation = Object.freeze({ settle: () => undefined, release: () => {} });

/**
 * Records spend that happened outside HTTP through the same stages as an
 * observed call: priced (a model the price data does not know is counted
 * at the provider's highest known price and labelled unpriced, never $0),
 * committed to every matching budget rule, counted in `costctl_cost_usd_total`,
 * `costctl_tokens_total` and `costctl_requests_total`, and written to the
 * ledger with `source: manual`. Spend that happened is recorded even when
 * the gate is tripped or a rule is exhausted (the evaluator then raises its
 * level, and a `trip` rule trips the gate). Throws a `CostctlArgumentError` only for bad
 * input; a failure of costctl itself is logged and never thrown. Returns
 * undefined, recording nothing, when costctl is disabled or not started.
 *
 * @example
 * import { recordCost } from '@costctl/otel';
 * recordCost({ provider: 'openai', model: 'gpt-realtime', usage: { input: 5200, output: 1800, cacheRead: 4000 } });
 */
export function recordCost(spend: CostSpend): RecordedCost | undefined {
  checkSpend('recordCost', spend);
  const manual = running('recordCost');
  if (manual === undefined) return undefined;
  try {
    return manual.record(spend);
  } catch (error) {
    reportInternalError(error);
    return undefined;
  }
}

/**
 * Whether a call with this worst case would be admitted now: the gate, then
 * every matching budget rule, as `reserve` would decide, holding nothing.
 * Another process may take the room before a later `reserve`. Admitted when
 * costctl is disabled or not started, as HTTP calls are then. Rejects with
 * the store's error when the store cannot be read and the gate did not
 * close for it.
 *
 * @example
 * import { check } from '@costctl/otel';
 * const answer = await check({ provider: 'openai', model: 'gpt-realtime', inputTokens: 8000, maxOutputTokens: 4096 });
 * if (!answer.admitted) return reply(503, answer.error.message);
 */
export async function check(estimate: CostEstimate): Promise<CostCheck> {
  checkEstimate('check', estimate);
  const manual = running('check');
  return manual === undefined ? admitted : manual.check(estimate);
}

/**
 * Holds a call's worst case against every matching budget rule before it
 * starts, as an HTTP call is held before it leaves. Rejects with the
 * `CostctlBlockedError` a blocked HTTP call fails with (`COSTCTL_GATE_TRIPPED`
 * or `COSTCTL_BUDGET_EXCEEDED`, the same fields and message) when the gate
 * is tripped or a rule would pass its limit; the refusal is counted in
 * `costctl_requests_total{costctl_outcome="blocked"}`. When costctl is
 * disabled or not started, resolves to a reservation that holds and
 * records nothing.
 *
 * @example
 * import { reserve } from '@costctl/otel';
 * const held = await reserve({ provider: 'openai', model: 'gpt-realtime', maxOutputTokens: 4096 });
 * const usage = await runRealtimeSession();
 * held.settle({ usage });
 */
export async function reserve(estimate: CostEstimate): Promise<CostReservation> {
  checkEstimate('reserve', estimate);
  const manual = running('reserve');
  return manual === undefined ? unheld : manual.reserve(estimate);
}
