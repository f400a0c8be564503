import type { Attributes } from '@opentelemetry/api';
import type { Budgets, PendingCall, Reservation } from '../budget/budgets.js';
import type { FallbackPrices } from '../budget/fallback-price.js';
import type { CallResult, CallSink } from '../model/call-result.js';
import { CostctlBlockedError } from '../model/errors.js';
import { logger } from '../model/logger.js';
import type { RequestFacts, ResponseFacts, TokenUsage } from '../model/usage.js';
import { priceCall } from '../pricing/price-call.js';
import type { PriceTable } from '../pricing/price-table.js';
import { adapterByName } from '../providers/registry.js';
import type { ProviderAdapter } from '../providers/types.js';
import { reportInternalError } from './internal-error.js';
import { readLabels } from './labels.js';
import { checkSpend } from './manual-input.js';
import type { CostCheck, CostEstimate, CostReservation, CostSpend, RecordedCost, SpendActual } from './manual.js';

/** What a running costctl lends the manual API: the same parts an observed call goes through. */
export interface ManualParts {
  table: PriceTable;
  fallback: FallbackPrices;
  sink: CallSink;
  budgets: Budgets;
  /** The allow-listed label keys (`COSTCTL_LABELS`). */
  labelKeys: readonly string[];
}

/** Providers whose pricing view is kept: far more than costctl knows, and than any bill has. */
const MAX_PROVIDERS = 256;
/** Longest label value kept, as for baggage labels. */
const MAX_LABEL_LENGTH = 128;
const ZERO: TokenUsage = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

/**
 * Spend that is not an HTTP call (a WebSocket session, a gRPC SDK, a batch
 * invoice), put through the stages an observed call goes through: priced by
 * the price table (or the fallback estimate), committed to budgets, counted
 * in the metrics and written to the ledger, marked `source: manual`.
 */
export class ManualSpend {
  readonly #parts: ManualParts;
  readonly #allowed: ReadonlySet<string>;
  readonly #adapters = new Map<string, ProviderAdapter>();
  readonly #warnedLabels = new Set<string>();

  constructor(parts: ManualParts) {
    this.#parts = parts;
    this.#allowed = new Set(parts.labelKeys);
  }

  /** Commits and records spend that happened; `spend` is checked already. */
  record(spend: CostSpend): RecordedCost {
    const call = this.#pending(spend, spend.usage?.input ?? 0, undefined, undefined);
    const result = this.#result(call, spend);
    try {
      this.#parts.budgets.commitSpent(call, result);
    } catch (error) {
      reportInternalError(error);
    }
    this.#sink(result);
    return recorded(result);
  }

  /** Whether a call with this worst case would be admitted now; `estimate` is checked already. */
  check(estimate: CostEstimate): Promise<CostCheck> {
    return Promise.resolve(this.#parts.budgets.check(this.#estimated(estimate))).then((block) =>
      block === undefined ? { admitted: true } : { admitted: false, error: new CostctlBlockedError(block) },
    );
  }

  /** Admits a call with this worst case, holding it, or rejects as a blocked HTTP call fails; `estimate` is checked already. */
  async reserve(estimate: CostEstimate): Promise<CostReservation> {
    const call = this.#estimated(estimate);
    const admission = await this.#parts.budgets.admit(call);
    if (admission.blocked !== undefined) {
      this.#sink(blockedResult(call, admission.blocked.rule, admission.blocked.code));
      throw new CostctlBlockedError(admission.blocked);
    }
    return new HeldSpend(this, call, admission.reservation, performance.now());
  }

  /** Settles a reservation with what was spent, defaulting its duration to the time since it was made. */
  settled(call: PendingCall, actual: SpendActual, reservation: Reservation | undefined, startedAt: number): RecordedCost | undefined {
    checkSpend('settle', { ...actual, provider: call.provider });
    let result: CallResult;
    try {
      result = this.#result(call, { ...actual, provider: call.provider, durationSeconds: actual.durationSeconds ?? (performance.now() - startedAt) / 1000 });
      if (reservation === undefined) this.#parts.budgets.commitSpent(call, result);
      else reservation.settle(result);
    } catch (error) {
      reportInternalError(error);
      return undefined;
    }
    this.#sink(result);
    return recorded(result);
  }

  #sink(result: CallResult): void {
    try {
      this.#parts.sink.record(result);
    } catch (error) {
      reportInternalError(error);
    }
  }

  /** The call as budgets see it: its scope, and the worst case an estimate gives (a recorded spend's input, for the fallback estimate). */
  #pending(scope: CostSpend | CostEstimate, inputTokens: number, maxOutputTokens: number | undefined, worstUsd: number | undefined): PendingCall {
    const request: RequestFacts = {
      operation: scope.operation ?? 'chat',
      api: 'manual',
      model: scope.model,
      stream: false,
      maxOutputTokens,
      inputTokenEstimate: inputTokens,
    };
    const call: PendingCall = {
      adapter: this.#adapter(scope.provider),
      request,
      provider: scope.provider,
      model: scope.model,
      labels: this.#labels(scope.labels),
    };
    if (worstUsd !== undefined) call.worstUsd = worstUsd;
    return call;
  }

  #estimated(estimate: CostEstimate): PendingCall {
    return this.#pending(estimate, estimate.inputTokens ?? 0, estimate.maxOutputTokens, estimate.usd);
  }

  #result(call: PendingCall, spend: CostSpend): CallResult {
    const given = spend.usage;
    const usage: TokenUsage =
      given === undefined
        ? ZERO
        : {
            input: given.input ?? 0,
            output: given.output ?? 0,
            cacheRead: given.cacheRead ?? 0,
            cacheWrite: given.cacheWrite ?? 0,
            reasoning: given.reasoning ?? 0,
          };
    // The model the spend reports (a settle's dated model id) is the one priced, as a response's model is.
    const model = spend.model ?? call.model;
    const facts: ResponseFacts = { model, responseId: spend.id, usage, usageComplete: true, providerCostUsd: spend.usd, outputTokenEstimate: 0 };
    if (spend.media !== undefined) facts.mediaTokens = spend.media;
    const cost = priceCall(call.adapter, call.request, facts, this.#parts.table);
    const result: CallResult = {
      provider: call.provider,
      operation: call.request.operation,
      requestModel: call.model,
      responseModel: model === call.model ? undefined : model,
      responseId: spend.id,
      outcome: 'ok',
      errorType: undefined,
      durationSeconds: spend.durationSeconds ?? 0,
      labels: call.labels,
      billable: true,
      usage: cost.usage,
      model: cost.model,
      cost: cost.cost,
      unpricedReason: cost.unpricedReason,
      source: 'manual',
    };
    if (cost.mediaTokens !== undefined) result.mediaTokens = cost.mediaTokens;
    // A model the price data does not know is never $0 to a budget: the provider's highest known price stands in.
    const held = this.#parts.fallback.budgetUsd(call.adapter, call.request, cost);
    if (held !== undefined) result.budgetUsd = held;
    return result;
  }

  /** The baggage labels, then the caller's, each allow-listed as the HTTP path's are; a key that is not is dropped, said once. */
  #labels(given: Readonly<Record<string, string>> | undefined): Attributes {
    const fromBaggage = readLabels(this.#parts.labelKeys);
    if (given === undefined) return fromBaggage;
    const labels: Attributes = { ...fromBaggage };
    for (const [key, value] of Object.entries(given)) {
      if (this.#allowed.has(key)) labels[key] = String(value).slice(0, MAX_LABEL_LENGTH);
      else if (!this.#warnedLabels.has(key)) {
        this.#warnedLabels.add(key);
        logger.warn(
          `costctl dropped the label "${key}" of recorded spend: only allow-listed labels become metric labels; add it to COSTCTL_LABELS to keep it`,
          { label: key },
        );
      }
    }
    return labels;
  }

  /** The provider as pricing and budgets see it: its known price-data id and aliases, or its own name; never a provider's price hook for HTTP answers. */
  #adapter(provider: string): ProviderAdapter {
    let adapter = this.#adapters.get(provider);
    if (adapter === undefined) {
      const known = adapterByName(provider);
      const alias = known?.pricingAlias;
      adapter = Object.freeze({
        name: provider,
        pricingId: known?.pricingId ?? provider,
        hosts: [],
        catalog: [],
        matchCall: () => undefined,
        readRequest: () => ({ operation: 'chat', api: 'manual', model: undefined, stream: false, maxOutputTokens: undefined, inputTokenEstimate: 0 }),
        createReader: () => ({
          push: () => {},
          finish: () => ({
            model: undefined,
            responseId: undefined,
            usage: undefined,
            usageComplete: false,
            providerCostUsd: undefined,
            outputTokenEstimate: 0,
          }),
        }),
        errorBody: (type: string, message: string) => ({ error: { type, message } }),
        ...(alias === undefined ? {} : { pricingAlias: (model: string) => alias(model) }),
      });
      // A provider name made up per call must not grow this without bound.
      if (this.#adapters.size < MAX_PROVIDERS) this.#adapters.set(provider, adapter);
    }
    return adapter;
  }
}

/** A reservation handed to the app: settled once with what was spent, or released; a second call does nothing. */
class HeldSpend implements CostReservation {
  readonly #spend: ManualSpend;
  readonly #call: PendingCall;
  readonly #reservation: Reservation | undefined;
  readonly #startedAt: number;
  #done = false;

  constructor(spend: ManualSpend, call: PendingCall, reservation: Reservation | undefined, startedAt: number) {
    this.#spend = spend;
    this.#call = call;
    this.#reservation = reservation;
    this.#startedAt = startedAt;
  }

  settle(actual: SpendActual): RecordedCost | undefined {
    if (this.#done) return undefined;
    const result = this.#spend.settled(this.#call, actual, this.#reservation, this.#startedAt);
    this.#done = true;
    return result;
  }

  release(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#reservation?.release();
    } catch (error) {
      reportInternalError(error);
    }
  }
}

function blockedResult(call: PendingCall, rule: string, code: string): CallResult {
  return {
    provider: call.provider,
    operation: call.request.operation,
    requestModel: call.model,
    responseModel: undefined,
    responseId: undefined,
    outcome: 'blocked',
    blockedBy: rule,
    errorType: code,
    durationSeconds: 0,
    labels: call.labels,
    billable: false,
    usage: ZERO,
    model: call.model,
    cost: undefined,
    unpricedReason: undefined,
    source: 'manual',
  };
}

function recorded(result: CallResult): RecordedCost {
  return {
    usd: result.cost?.usd,
    costSource: result.cost?.source,
    unpricedReason: result.unpricedReason,
    budgetUsd: result.cost?.usd ?? result.budgetUsd ?? 0,
  };
}
