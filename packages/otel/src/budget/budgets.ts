import type { RuleConfig, RuleUnit } from '../config/schema.js';
import { blockMessage, type BlockReason, type ReserveSource } from '../model/errors.js';
import type { Gate } from '../gate/gate.js';
import { logger } from '../model/logger.js';
import type { UnpricedReason } from '../model/cost.js';
import type { PriceTable } from '../pricing/price-table.js';
import { priceOnTier } from '../pricing/service-tiers.js';
import type { RequestFacts } from '../model/usage.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { AggregateSpend, CostStore, CounterEntry, ReserveResult, WindowSpend } from '../store/types.js';
import type { Admission, Reservation } from '../model/admission.js';
import type { CallResult, CallSink } from '../model/call-result.js';
import { UnheldCalls, WindowAggregates } from './aggregates.js';
import { billedTokens } from './billed-tokens.js';
import { FallbackPrices, type UnknownModelPolicy } from './fallback-price.js';
import { LeaseBook, type Admitted } from './leases.js';
import { BudgetRule, type CallScope } from './rules.js';

/** A call about to leave, as budgets see it. */
export interface PendingCall extends CallScope {
  adapter: ProviderAdapter;
  request: RequestFacts;
  /** The worst case in USD its caller gave (`reserve()`), standing in for tokens × price. */
  worstUsd?: number;
}

export type { Admission, Reservation };

export interface BudgetOptions {
  timeZone: string;
  defaultMaxOutputTokens: number;
  leaseMillis: number;
  /** A rule refused a call needing `amount` (in the rule's unit): it is exhausted until its window has room for it. */
  onRefused?: (rule: BudgetRule, amount: number) => void;
  /** A call the price data cannot price: reserved at the provider's highest known price (`estimate`, default), or blocked under a dollar rule. */
  unknownModel?: UnknownModelPolicy;
  /** The prices standing in for a model the price data does not know (the same the calls' `budgetUsd` comes from). */
  fallback?: FallbackPrices;
  /** Admit calls against leases of headroom taken from a shared store (file, Redis), not one store operation per call. */
  leases?: boolean;
}

/** A call's worst case in every unit, and where it came from. */
interface WorstCase {
  amounts: Record<RuleUnit, number>;
  outputTokens: number;
  source: ReserveSource;
  /** The dollars are the fallback estimate: the price data does not know the model. */
  fallbackPrice: boolean;
}

/** A rule that blocks calls is logged at most this often, with how many it blocked meanwhile. */
const BLOCK_LOG_EVERY_MS = 60_000;

const admittedFree: Admission = { blocked: undefined, reservation: undefined };

/**
 * Budget rules applied before each call leaves. The call's worst case —
 * its estimated input plus `max_tokens` (or the configured default) at the
 * model's price, or at the provider's highest known price for a model
 * without one — is reserved against every matching rule at once; a `block`
 * rule that would be passed blocks the call, saying why in money, a `trip`
 * rule trips the gate. When the call ends, the reservation is replaced by
 * its real cost, and the call's window aggregates are added in the same
 * store operation. With `leases` (the file and Redis stores), a call is
 * admitted against this process's leases of headroom instead (see
 * LeaseBook), with no store operation, and reserved in the store on its
 * own only near a limit. The per-call work is one pass over the rules,
 * however many metric series exist. At start, rules the store has never
 * seen are seeded from those aggregates, once.
 */
export class Budgets implements CallSink {
  readonly rules: readonly BudgetRule[];
  readonly #store: CostStore;
  readonly #gate: Gate;
  readonly #table: PriceTable;
  readonly #options: BudgetOptions;
  readonly #fallback: FallbackPrices;
  readonly #aggregates: WindowAggregates;
  readonly #logged = new Map<string, { at: number; blocked: number }>();
  /** Pending while a store that answers asynchronously seeds rules it has never seen. */
  #seeding: Promise<void> | undefined;
  readonly #unheld: UnheldCalls;
  readonly #book: LeaseBook | undefined;

  constructor(rules: readonly RuleConfig[], store: CostStore, gate: Gate, table: PriceTable, options: BudgetOptions) {
    this.rules = rules.map((rule) => new BudgetRule(rule, options.timeZone));
    this.#store = store;
    this.#gate = gate;
    this.#table = table;
    this.#options = options;
    this.#fallback = options.fallback ?? new FallbackPrices({}, options.defaultMaxOutputTokens);
    this.#aggregates = new WindowAggregates(options.timeZone);
    this.#unheld = new UnheldCalls(store, this.#aggregates);
    this.#book = options.leases === true && store.renewLeases !== undefined && this.rules.length > 0 ? new LeaseBook(store, options.leaseMillis) : undefined;
    this.#seed(Date.now());
  }

  /** Counts, for each rule the store has never seen, the spend its window already had (docs/budgets-and-gate.md: a rule counts its whole window). */
  #seed(now: number): void {
    if (this.rules.length === 0 || this.#store.seed === undefined) return;
    const failed = (error: unknown) =>
      logger.warn('costctl could not count the spend made before its rules were first seen: new rules start from what they see from now on', {
        error: String(error),
      });
    try {
      const seeding = this.#store.seed(
        this.rules.map((rule) => this.#aggregates.seedOf(rule, now)),
        now,
      );
      if (seeding instanceof Promise) this.#seeding = seeding.catch(failed).finally(() => (this.#seeding = undefined));
    } catch (error) {
      failed(error);
    }
  }

  /** Adds a finished call to the window aggregates, if no rule held it (a held call's commit carries its own). */
  record(result: CallResult): void {
    this.#unheld.record(result);
  }

  /**
   * Commits what calls admitted against leases spent, and their window
   * aggregates, so that the store holds this process's spend: before rules
   * are evaluated (shortly after calls settle).
   */
  async commitLeased(): Promise<void> {
    if (this.#book === undefined) return;
    const leases = this.#book.commit();
    const unheld = this.#unheld.flush();
    await Promise.all([leases, unheld]);
  }

  /**
   * Commits what leased calls spent and gives back unused leases, and writes
   * the aggregates of calls no rule held: at forceFlush and shutdown, before
   * the store closes. A synchronous store writes before this returns its promise.
   */
  async flush(): Promise<void> {
    const leases = this.#book?.flush();
    const unheld = this.#unheld.flush();
    await Promise.all([leases, unheld]);
  }

  /**
   * Decides whether `call` may leave now, reserving its worst case if so.
   * With `wait` false, a call that finds no lease room reserves in the store
   * at once rather than wait for a renewal: an answer without a promise
   * whenever the store gives one (the file store).
   */
  admit(call: PendingCall, wait = true): Admission | Promise<Admission> {
    const ready = this.#gate.ready ?? this.#seeding;
    if (ready !== undefined) return ready.then(() => this.admit(call));
    if (this.#gate.isTripped()) return { blocked: this.#gateBlock() };
    const matched = this.rules.filter((rule) => rule.matches(call));
    if (matched.length === 0) return admittedFree;

    const now = Date.now();
    const worst = this.#worstCase(call);
    if (worst.fallbackPrice && this.#options.unknownModel === 'block') {
      const dollars = matched.find((rule) => rule.config.unit === 'usd' && rule.config.action !== 'alert');
      if (dollars !== undefined) return { blocked: this.#logBlock(this.#budgetBlock(dollars, 0, worst, now, call), now) };
    }
    const leases = this.#book?.take(matched, worst.amounts, now, wait);
    if (leases instanceof Promise) return leases.then((held) => (held === undefined ? this.#reserve(call, matched, worst, Date.now()) : leased(held, worst)));
    if (leases !== undefined) return leased(leases, worst);
    return this.#reserve(call, matched, worst, now);
  }

  /** Reserves the call's worst case in the store, against every matched rule at once. */
  #reserve(call: PendingCall, matched: readonly BudgetRule[], worst: WorstCase, now: number): Admission | Promise<Admission> {
    const entries = matched.map((rule) => rule.entry(worst.amounts[rule.config.unit], now));
    const result = this.#store.reserve(entries, this.#options.leaseMillis, now);
    return result instanceof Promise
      ? result.then((r) => this.#admission(r, call, matched, entries, worst, now))
      : this.#admission(result, call, matched, entries, worst, now);
  }

  /**
   * Whether `call` would be admitted now, holding nothing: the gate, then
   * each matching rule's window with the call's worst case, as `admit`
   * decides. With leases, as the lease book would: admitted where every
   * lease has room, else each window as the store would read it once this
   * process's leases were renewed (their uncommitted spend counted, their
   * untaken room given back). Nothing is logged, counted or tripped: it is a question.
   */
  check(call: PendingCall): BlockReason | undefined | Promise<BlockReason | undefined> {
    const ready = this.#gate.ready ?? this.#seeding;
    if (ready !== undefined) return ready.then(() => this.check(call));
    if (this.#gate.isTripped()) return this.#gateReason();
    const matched = this.rules.filter((rule) => rule.config.action !== 'alert' && rule.matches(call));
    if (matched.length === 0) return undefined;
    const now = Date.now();
    const worst = this.#worstCase(call);
    if (worst.fallbackPrice && this.#options.unknownModel === 'block') {
      const dollars = matched.find((rule) => rule.config.unit === 'usd');
      if (dollars !== undefined) return this.#budgetBlock(dollars, 0, worst, now, call);
    }
    if (
      this.#book?.fits(
        this.rules.filter((rule) => rule.matches(call)),
        worst.amounts,
        now,
      )
    )
      return undefined;
    return this.#firstRefusing(matched, 0, worst, now);
  }

  /** The first rule from `from` on whose window has no room for the worst case, read as the store's `reserve` reads it, this process's leases included. */
  #firstRefusing(matched: readonly BudgetRule[], from: number, worst: WorstCase, now: number): BlockReason | undefined | Promise<BlockReason | undefined> {
    for (let i = from; i < matched.length; i++) {
      const rule = matched[i]!;
      const entry = rule.entry(worst.amounts[rule.config.unit], now);
      // Taken as the read is sent: the store answers for that moment.
      const leased = this.#book?.unstored(rule, entry.window) ?? 0;
      const refusing = ({ spent, reserved }: WindowSpend) => {
        const used = spent + reserved + leased;
        return used + entry.amount > rule.config.limit ? this.#budgetBlock(rule, used, worst, now) : undefined;
      };
      const read = this.#store.read(entry.window, now);
      if (read instanceof Promise) return read.then((spend) => refusing(spend) ?? this.#firstRefusing(matched, i + 1, worst, now));
      const block = refusing(read);
      if (block !== undefined) return block;
    }
    return undefined;
  }

  /**
   * Counts spend that has already happened (`recordCost`): against every
   * matching rule whatever its limit, since it cannot be refused, and in
   * the window aggregates, in one store operation. Spend no rule matches
   * is summed with the calls no rule held, by `record`.
   */
  commitSpent(call: PendingCall, result: CallResult): void {
    const matched = this.rules.filter((rule) => rule.matches(call));
    if (matched.length === 0) return;
    const now = Date.now();
    const entries = matched.map((rule) => rule.entry(0, now));
    // An id that names no reservation: the commit adds the spend and holds nothing back.
    new StoreReservation(this.#store, 'spent', matched, entries, { usd: 0, tokens: 0, requests: 0 }, this.#aggregates, call, this.#unheld).settle(result);
  }

  #admission(
    result: ReserveResult,
    call: PendingCall,
    matched: readonly BudgetRule[],
    entries: readonly CounterEntry[],
    worst: WorstCase,
    now: number,
  ): Admission | Promise<Admission> {
    if (result.ok) {
      return {
        blocked: undefined,
        reservation: new StoreReservation(this.#store, result.id, matched, entries, worst.amounts, this.#aggregates, call, this.#unheld),
      };
    }
    // A store that cannot be read trips the gate as it refuses: say so, not "spent: Infinity".
    if (this.#gate.isTripped()) return { blocked: this.#gateBlock() };
    const rule = matched[result.index]!;
    this.#options.onRefused?.(rule, entries[result.index]!.amount);
    const block = this.#logBlock(this.#budgetBlock(rule, result.spent, worst, now), now);
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
    return this.#logBlock(this.#gateReason(), Date.now());
  }

  #gateReason(): BlockReason {
    const state = this.#gate.state();
    return { code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', spent: 0, limit: 0, reason: state.reason, actor: state.actor, since: state.since };
  }

  /** What a refusing rule tells the caller: spend, this call's worst case and its source, the limit, and when the window resets. */
  #budgetBlock(rule: BudgetRule, spent: number, worst: WorstCase, now: number, unpriced?: PendingCall): BlockReason {
    const { unit } = rule.config;
    const block: BlockReason = {
      code: 'COSTCTL_BUDGET_EXCEEDED',
      rule: rule.name,
      spent,
      limit: rule.config.limit,
      unit,
      reserve: worst.amounts[unit],
      reserveSource: unit === 'requests' ? 'request' : worst.source,
      window: rule.config.window,
      resetsAt: rule.resetsAt(now),
      timeZone: this.#options.timeZone,
    };
    if (unit !== 'requests' && worst.source !== 'meter' && worst.source !== 'given') block.maxOutputTokens = worst.outputTokens;
    if (unit === 'usd' && worst.fallbackPrice) block.fallbackPrice = true;
    if (unpriced !== undefined) block.unpricedModel = `${unpriced.provider}/${unpriced.model ?? '(no model named)'}`;
    return block;
  }

  /** The log line of a block: the first of each rule at once, then at most one a minute, with how many were blocked meanwhile. */
  #logBlock(block: BlockReason, now: number): BlockReason {
    const last = this.#logged.get(block.rule);
    if (last !== undefined && now - last.at < BLOCK_LOG_EVERY_MS) {
      last.blocked++;
      return block;
    }
    const fields: Record<string, unknown> = { rule: block.rule, code: block.code };
    if (last !== undefined) fields['blockedSinceLastLine'] = last.blocked;
    logger.warn(blockMessage(block), fields);
    this.#logged.set(block.rule, { at: now, blocked: 0 });
    return block;
  }

  #worstCase(call: PendingCall): WorstCase {
    const input = call.request.inputTokenEstimate;
    const asked = call.request.maxOutputTokens;
    const output = asked ?? this.#options.defaultMaxOutputTokens;
    const source: ReserveSource = asked === undefined ? 'default_max_tokens' : 'max_tokens';
    const tokens = input + output;
    if (call.worstUsd !== undefined)
      return { amounts: { usd: call.worstUsd, tokens, requests: 1 }, outputTokens: output, source: 'given', fallbackPrice: false };
    const metered = call.adapter.worstCaseUsd?.(call.request);
    if (metered !== undefined) return { amounts: { usd: metered, tokens, requests: 1 }, outputTokens: output, source: 'meter', fallbackPrice: false };
    const model = call.request.model;
    const usage = { input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const listed = model === undefined ? undefined : this.#table.price(call.adapter.name, call.adapter.pricingId, model, usage);
    // A model the price data does not know is never $0 against a dollar budget: the provider's highest known prices stand in.
    const usd =
      listed === undefined ? this.#fallback.usd(call.adapter, usage) : priceOnTier(call.adapter.pricingId, call.request.serviceTier, listed, usage).usd;
    return { amounts: { usd, tokens, requests: 1 }, outputTokens: output, source, fallbackPrice: listed === undefined };
  }
}

/**
 * Why a billed call's usage is unknown: its body could not be seen or read,
 * or carried no usage. (A model without a price has its usage, held at the
 * fallback estimate, as its result's `budgetUsd` says.)
 */
const UNREAD: ReadonlySet<UnpricedReason> = new Set(['body_unobservable', 'internal_error', 'no_usage', 'unit_missing']);

/**
 * What a settled call counts in each unit. A billed call whose usage costctl
 * could not read, or that has no cost, keeps its worst case: budgets err
 * toward spend, never toward $0. A call on provisioned capacity (paid by
 * the hour, not per call) settles with no dollars; its tokens and request still count.
 */
function usedBy(result: CallResult, worst: Readonly<Record<RuleUnit, number>>): Readonly<Record<RuleUnit, number>> {
  const noCost = result.cost === undefined && result.budgetUsd === undefined && result.unpricedReason !== 'provisioned';
  const unread = result.billable && result.unpricedReason !== undefined && (UNREAD.has(result.unpricedReason) || noCost);
  if (unread) return worst;
  return { usd: result.cost?.usd ?? result.budgetUsd ?? 0, tokens: billedTokens(result), requests: 1 };
}

function leased(admitted: readonly Admitted[], worst: WorstCase): Admission {
  return { blocked: undefined, reservation: new LeasedReservation(admitted, worst.amounts) };
}

/**
 * A call admitted against leases: settled in memory, its spend committed
 * with the leases' next renewal, and its window aggregates with the calls
 * no rule held (`record`).
 */
class LeasedReservation implements Reservation {
  readonly #admitted: readonly Admitted[];
  readonly #worst: Readonly<Record<RuleUnit, number>>;
  #settled = false;

  constructor(admitted: readonly Admitted[], worst: Readonly<Record<RuleUnit, number>>) {
    this.#admitted = admitted;
    this.#worst = worst;
  }

  settle(result: CallResult): void {
    if (this.#settled) return;
    this.#settled = true;
    const used = usedBy(result, this.#worst);
    for (const admitted of this.#admitted) {
      const unit = admitted.lease.rule.config.unit;
      admitted.settle(this.#worst[unit], used[unit]);
    }
  }

  release(): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const admitted of this.#admitted) admitted.release(this.#worst[admitted.lease.rule.config.unit]);
  }
}

/** A reservation in the store, settled once, with the call's window aggregates in the same store operation. */
class StoreReservation implements Reservation {
  readonly #store: CostStore;
  readonly #id: string;
  readonly #rules: readonly BudgetRule[];
  readonly #entries: readonly CounterEntry[];
  readonly #worst: Record<RuleUnit, number>;
  readonly #aggregates: WindowAggregates;
  readonly #call: CallScope;
  readonly #unheld: UnheldCalls;
  #settled = false;

  constructor(
    store: CostStore,
    id: string,
    rules: readonly BudgetRule[],
    entries: readonly CounterEntry[],
    worst: Record<RuleUnit, number>,
    aggregates: WindowAggregates,
    call: CallScope,
    unheld: UnheldCalls,
  ) {
    this.#store = store;
    this.#id = id;
    this.#rules = rules;
    this.#entries = entries;
    this.#worst = worst;
    this.#aggregates = aggregates;
    this.#call = call;
    this.#unheld = unheld;
  }

  settle(result: CallResult): void {
    if (this.#settled) return;
    this.#settled = true;
    const used = usedBy(result, this.#worst);
    const spend = this.#entries.map((entry, i) => ({ counter: entry.counter, amount: used[this.#rules[i]!.config.unit], expiresAt: entry.expiresAt }));
    const now = Date.now();
    // A reservation that arrived after its call was recorded finds it already summed with the calls no rule held.
    const aggregates: AggregateSpend[] = this.#unheld.heldBy(result)
      ? []
      : [
          {
            windows: this.#aggregates.windowsAt(now),
            dimensions: this.#aggregates.dimensions(this.#call),
            usd: used.usd,
            tokens: used.tokens,
            requests: used.requests,
          },
        ];
    const done = this.#store.commit(this.#id, spend, now, aggregates);
    if (done instanceof Promise) done.catch((error: unknown) => logger.error('costctl could not commit a call to the store', { error: String(error) }));
  }

  release(): void {
    if (this.#settled) return;
    this.#settled = true;
    const done = this.#store.release(this.#id);
    if (done instanceof Promise)
      done.catch((error: unknown) => logger.error("costctl could not release a call's reservation in the store", { error: String(error) }));
  }
}
