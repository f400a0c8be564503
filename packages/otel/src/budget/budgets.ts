import type { RuleConfig, RuleUnit } from '../config/schema.js';
import type { BlockReason } from '../errors.js';
import type { Gate } from '../gate/gate.js';
import { logger } from '../logger.js';
import type { UnpricedReason } from '../pricing/price-call.js';
import type { PriceTable } from '../pricing/price-table.js';
import { priceOnTier } from '../pricing/service-tiers.js';
import type { ProviderAdapter, RequestFacts } from '../providers/types.js';
import type { CostStore, CounterEntry, ReserveResult } from '../store/types.js';
import type { CallResult } from '../transport/call.js';
import { BudgetRule, type CallScope } from './rules.js';

/** A call about to leave, as budgets see it. */
export interface PendingCall extends CallScope {
  adapter: ProviderAdapter;
  request: RequestFacts;
}

/** What was held for one call; settled once with what the call really cost, or released if it never reached the provider. */
export interface Reservation {
  settle(result: CallResult): void;
  /** Gives back everything held: the call failed before any response (refused, DNS, aborted before its headers). */
  release(): void;
}

/** Whether a call may leave: blocked (and why), or admitted with what it holds. */
export type Admission = { blocked: BlockReason } | { blocked: undefined; reservation: Reservation | undefined };

export interface BudgetOptions {
  timeZone: string;
  defaultMaxOutputTokens: number;
  leaseMillis: number;
  /** A rule refused a call needing `amount` (in the rule's unit): it is exhausted until its window has room for it. */
  onRefused?: (rule: BudgetRule, amount: number) => void;
}

const admittedFree: Admission = { blocked: undefined, reservation: undefined };

/**
 * Budget rules applied before each call leaves. The call's worst case —
 * its estimated input plus `max_tokens` (or the configured default) at the
 * model's price — is reserved against every matching rule at once; a `block`
 * rule that would be passed blocks the call, a `trip` rule trips the gate.
 * When the call ends, the reservation is replaced by its real cost. The
 * per-call work is one pass over the rules and one store operation, however
 * many metric series exist.
 */
export class Budgets {
  readonly rules: readonly BudgetRule[];
  readonly #store: CostStore;
  readonly #gate: Gate;
  readonly #table: PriceTable;
  readonly #options: BudgetOptions;

  constructor(rules: readonly RuleConfig[], store: CostStore, gate: Gate, table: PriceTable, options: BudgetOptions) {
    this.rules = rules.map((rule) => new BudgetRule(rule, options.timeZone));
    this.#store = store;
    this.#gate = gate;
    this.#table = table;
    this.#options = options;
  }

  /** Decides whether `call` may leave now, reserving its worst case if so. */
  admit(call: PendingCall): Admission | Promise<Admission> {
    const ready = this.#gate.ready;
    if (ready !== undefined) return ready.then(() => this.admit(call));
    if (this.#gate.isTripped()) return { blocked: this.#gateBlock() };
    const matched = this.rules.filter((rule) => rule.matches(call));
    if (matched.length === 0) return admittedFree;

    const now = Date.now();
    const worst = this.#worstCase(call);
    const entries = matched.map((rule) => rule.entry(worst[rule.config.unit], now));
    const result = this.#store.reserve(entries, this.#options.leaseMillis, now);
    return result instanceof Promise ? result.then((r) => this.#admission(r, matched, entries)) : this.#admission(result, matched, entries);
  }

  #admission(result: ReserveResult, matched: readonly BudgetRule[], entries: readonly CounterEntry[]): Admission | Promise<Admission> {
    if (result.ok) return { blocked: undefined, reservation: new StoreReservation(this.#store, result.id, matched, entries) };
    // A store that cannot be read trips the gate as it refuses: say so, not "spent: Infinity".
    if (this.#gate.isTripped()) return { blocked: this.#gateBlock() };
    const rule = matched[result.index]!;
    this.#options.onRefused?.(rule, entries[result.index]!.amount);
    const block: BlockReason = { code: 'COSTCTL_BUDGET_EXCEEDED', rule: rule.name, spent: result.spent, limit: rule.config.limit };
    if (rule.config.action !== 'trip') return { blocked: block };
    const reason = `rule ${rule.name} would pass its limit of ${rule.config.limit} ${rule.config.unit}`;
    // Blocked whether or not the trip could be recorded: the rule said no.
    const blocked = (): Admission => ({ blocked: this.#gate.isTripped() ? this.#gateBlock() : block });
    return this.#gate.trip({ reason, actor: `rule:${rule.name}` }).then(blocked, (error: unknown) => {
      logger.error('costctl could not trip the gate', { rule: rule.name, error: String(error) });
      return blocked();
    });
  }

  #gateBlock(): BlockReason {
    const state = this.#gate.state();
    return { code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', spent: 0, limit: 0, reason: state.reason };
  }

  #worstCase(call: PendingCall): Record<RuleUnit, number> {
    const input = call.request.inputTokenEstimate;
    const output = call.request.maxOutputTokens ?? this.#options.defaultMaxOutputTokens;
    const model = call.request.model;
    const usage = { input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    // A model with no price reserves no dollars: its calls are counted as unpriced, never as $0 spend.
    const listed = call.adapter.worstCaseUsd === undefined && model !== undefined ? this.#table.price(call.adapter.name, call.adapter.pricingId, model, usage) : undefined;
    const usd =
      call.adapter.worstCaseUsd?.(call.request) ??
      (listed === undefined ? 0 : priceOnTier(call.adapter.pricingId, call.request.serviceTier, listed, usage).usd);
    return { usd, tokens: input + output, requests: 1 };
  }
}

/**
 * Why a billed call's usage is unknown: its body could not be seen or read,
 * or carried no usage. (A model without a price has its usage; it reserved
 * no dollars, and spends none.)
 */
const UNREAD: ReadonlySet<UnpricedReason> = new Set(['body_unobservable', 'internal_error', 'no_usage', 'unit_missing']);

/** A reservation in the store, settled once. */
class StoreReservation implements Reservation {
  readonly #store: CostStore;
  readonly #id: string;
  readonly #rules: readonly BudgetRule[];
  readonly #entries: readonly CounterEntry[];
  #settled = false;

  constructor(store: CostStore, id: string, rules: readonly BudgetRule[], entries: readonly CounterEntry[]) {
    this.#store = store;
    this.#id = id;
    this.#rules = rules;
    this.#entries = entries;
  }

  settle(result: CallResult): void {
    if (this.#settled) return;
    this.#settled = true;
    // A billed call whose usage costctl could not read keeps its worst case: budgets err toward spend, never toward $0.
    const unread = result.billable && result.unpricedReason !== undefined && UNREAD.has(result.unpricedReason);
    const actual: Record<RuleUnit, number> = {
      usd: result.cost?.usd ?? 0,
      tokens: result.usage.input + result.usage.output,
      requests: 1,
    };
    const spend = this.#entries.map((entry, i) => ({
      counter: entry.counter,
      amount: unread ? entry.amount : actual[this.#rules[i]!.config.unit],
      expiresAt: entry.expiresAt,
    }));
    const done = this.#store.commit(this.#id, spend, Date.now());
    if (done instanceof Promise) done.catch((error: unknown) => logger.error('costctl could not commit a call to the store', { error: String(error) }));
  }

  release(): void {
    if (this.#settled) return;
    this.#settled = true;
    const done = this.#store.release(this.#id);
    if (done instanceof Promise) done.catch((error: unknown) => logger.error('costctl could not release a call\'s reservation in the store', { error: String(error) }));
  }
}
