import type { RuleUnit } from '../config/schema.js';
import { logger } from '../model/logger.js';
import type { CostStore, LeaseGrant, LeaseRenewal } from '../store/types.js';
import type { BudgetRule } from './rules.js';

/** While any lease is held, what leased calls spent is committed and leases are renewed this often. */
export const RENEW_EVERY_MS = 100;
/** A call that finds no room asks for a renewal at once, but no more often than this. */
const ASK_GAP_MS = 10;
/** A lease asks for about this long of its rule's recent demand. */
const DEMAND_MS = 1_500;
/** And for at least this many of the largest worst case its rule has seen. */
const FLOOR_CALLS = 4;
/** At most this share of a rule's limit per lease: one process never holds much of what a fleet shares. */
const CAP_SHARE = 1 / 32;
/** A lease is granted only while its window keeps this many leases' worth free besides: nearer the limit, calls reserve one by one. */
const MARGIN_LEASES = 8;

/** Headroom on one rule's counter, held in the store and spent in memory. */
export class Lease {
  readonly rule: BudgetRule;
  readonly counter: string;
  readonly window: readonly string[];
  readonly windowEnd: number;
  /** The store's reservation holding it; undefined while it holds nothing. */
  id: string | undefined;
  /** What the store holds for it. */
  size = 0;
  /** The worst cases of the calls it admitted that are still in flight. */
  held = 0;
  /** How many calls it admitted are in flight: at none, `held` is exactly 0 whatever the rounding. */
  calls = 0;
  /** What settled calls cost, not committed yet. */
  spent = 0;
  /** The worst cases of calls that asked for this rule since the last renewal, admitted here or not. */
  demand = 0;
  largest = 0;
  /** Calls are admitted against it until then, well before the store lets it go. */
  usableUntil = 0;
  renewedAt = 0;
  /** When the store last refused it headroom: it asks again only at the next regular renewal. */
  refusedAt = -Infinity;
  /** A renewal is on its way to the store: calls reserve in the store meanwhile. */
  renewing = false;
  /** Its window moved on: it admits nothing more, and is given back once its calls settle. */
  retired = false;

  constructor(rule: BudgetRule, counter: string, window: readonly string[], windowEnd: number) {
    this.rule = rule;
    this.counter = counter;
    this.window = window;
    this.windowEnd = windowEnd;
  }

  /** True when a call with this worst case can be admitted against it now. */
  fits(amount: number, now: number): boolean {
    return this.id !== undefined && !this.renewing && !this.retired && now < this.usableUntil && this.size - this.held - this.spent >= amount;
  }

  admit(worst: number): void {
    this.held += worst;
    this.calls++;
  }

  /** A call it admitted ended: its worst case is let go, what it cost is spent (committed at the next renewal). */
  settle(worst: number, cost: number): void {
    this.release(worst);
    this.spent += cost;
  }

  release(worst: number): void {
    this.held = --this.calls === 0 ? 0 : this.held - worst;
  }
}

/**
 * Admission in memory: per rule, a lease of headroom taken from the shared
 * store (a reservation sized from the rule's recent demand), which calls
 * are admitted against with no store operation. Every `RENEW_EVERY_MS`
 * one store operation commits what the leased calls spent and renews
 * every lease: resized to the demand, given back when idle, refused near
 * the limit (within `MARGIN_LEASES` leases of it), where calls reserve one
 * by one in the store as before. A lease is a reservation, so the store's
 * limit check covers every process's leases at once, and a process that
 * dies loses its leases when they expire.
 *
 * @example
 * const book = new LeaseBook(store, 600_000);
 * const leases = book.take(matched, worst.amounts, Date.now()); // undefined: reserve in the store
 */
export class LeaseBook {
  readonly #store: CostStore;
  readonly #leaseMillis: number;
  readonly #current = new Map<BudgetRule, Lease>();
  readonly #retired = new Set<Lease>();
  #timer: NodeJS.Timeout | undefined;
  #renewal: Promise<void> | undefined;
  #askedAt = -Infinity;
  #lastRenewal = 0;
  /** Renewals fail: said once, until one succeeds. */
  #failing = false;

  constructor(store: CostStore, leaseMillis: number) {
    this.#store = store;
    this.#leaseMillis = leaseMillis;
  }

  /**
   * The leases a call is admitted against, each now holding its worst case;
   * undefined when one of them has no room for it (the call reserves in the store).
   */
  take(rules: readonly BudgetRule[], amounts: Readonly<Record<RuleUnit, number>>, now: number): Lease[] | undefined {
    const leases = this.#leases(rules, amounts, now);
    if (leases !== undefined) return leases;
    if (now - this.#askedAt < ASK_GAP_MS || this.#renewal !== undefined) return undefined;
    this.#askedAt = now;
    // A synchronous store renews before this returns: the call may fit at once.
    if (this.#renew(now, false) !== undefined) return undefined;
    return this.#leases(rules, amounts, now, false);
  }

  /** Commits what leased calls spent now, renewing the leases as the next tick would: before rules are evaluated. */
  commit(): Promise<void> {
    if (this.#renewal !== undefined) return this.#renewal.then(() => this.commit());
    return this.#renew(Date.now(), false) ?? Promise.resolve();
  }

  /** Commits what leased calls spent and gives back every lease but the worst cases of calls in flight: at forceFlush and shutdown. */
  flush(): Promise<void> {
    if (this.#renewal !== undefined) return this.#renewal.then(() => this.flush());
    return this.#renew(Date.now(), true) ?? Promise.resolve();
  }

  #leases(rules: readonly BudgetRule[], amounts: Readonly<Record<RuleUnit, number>>, now: number, count = true): Lease[] | undefined {
    const leases: Lease[] = [];
    let fits = true;
    for (const rule of rules) {
      const amount = amounts[rule.config.unit];
      const lease = this.#lease(rule, now);
      if (count) {
        lease.demand += amount;
        if (amount > lease.largest) lease.largest = amount;
      }
      if (!lease.fits(amount, now)) fits = false;
      leases.push(lease);
    }
    if (!fits) return undefined;
    for (let i = 0; i < rules.length; i++) leases[i]!.admit(amounts[rules[i]!.config.unit]);
    return leases;
  }

  /** The lease of `rule`'s current window; a window that moved on retires the old one. */
  #lease(rule: BudgetRule, now: number): Lease {
    const window = rule.windowNow(now);
    let lease = this.#current.get(rule);
    if (lease !== undefined && lease.counter === window.counter) return lease;
    if (lease !== undefined) {
      lease.retired = true;
      this.#retired.add(lease);
    }
    lease = new Lease(rule, window.counter, window.window, window.expiresAt);
    this.#current.set(rule, lease);
    this.#timer ??= setInterval(() => void this.#tick(), RENEW_EVERY_MS).unref();
    return lease;
  }

  #tick(): void {
    if (this.#renewal !== undefined) return;
    this.#renew(Date.now(), false);
  }

  /**
   * One store operation for every lease with something to do: commit its
   * spend, resize it to its demand, give it back. Returns a promise while an
   * asynchronous store answers; undefined when done already.
   */
  #renew(now: number, giveBack: boolean): Promise<void> | undefined {
    const leases: Lease[] = [];
    const renewals: LeaseRenewal[] = [];
    const elapsed = Math.max(RENEW_EVERY_MS, now - this.#lastRenewal);
    this.#lastRenewal = now;
    for (const lease of [...this.#current.values(), ...this.#retired]) {
      const renewal = this.#renewalOf(lease, now, elapsed, giveBack);
      if (renewal === undefined) continue;
      lease.renewing = true;
      leases.push(lease);
      renewals.push(renewal);
    }
    this.#forgetIdle();
    if (renewals.length === 0) return undefined;
    let answer: LeaseGrant[] | Promise<LeaseGrant[]>;
    try {
      answer = this.#store.renewLeases!(renewals, this.#leaseMillis, now);
    } catch (error) {
      this.#failed(leases, error);
      return undefined;
    }
    if (!(answer instanceof Promise)) {
      this.#granted(leases, renewals, answer, now);
      return undefined;
    }
    const renewal = answer.then(
      (grants) => this.#granted(leases, renewals, grants, now),
      (error: unknown) => this.#failed(leases, error),
    );
    this.#renewal = renewal.finally(() => (this.#renewal = undefined));
    return this.#renewal;
  }

  /** What `lease` asks of the store now; undefined when it has nothing to ask. */
  #renewalOf(lease: Lease, now: number, elapsed: number, giveBack: boolean): LeaseRenewal | undefined {
    const { rule, held, spent, demand } = lease;
    const limit = rule.config.action === 'alert' ? undefined : rule.config.limit;
    let amount = held;
    let lowered = limit;
    if (!giveBack && !lease.retired && demand > 0 && now - lease.refusedAt >= RENEW_EVERY_MS) {
      const cap = limit === undefined ? Infinity : limit * CAP_SHARE;
      const headroom = Math.min(cap, Math.max((demand / elapsed) * DEMAND_MS, FLOOR_CALLS * lease.largest));
      // A lease too small for one call is no lease: those calls reserve one by one.
      if (headroom >= lease.largest) {
        amount = held + headroom;
        if (limit !== undefined) lowered = limit - MARGIN_LEASES * headroom;
      }
    }
    lease.demand = 0;
    const expiring = lease.id !== undefined && now - lease.renewedAt >= this.#leaseMillis / 2;
    if (spent === 0 && amount === lease.size && !expiring) return undefined;
    return {
      id: lease.id,
      spent,
      entry: { counter: lease.counter, window: lease.window, amount, limit: amount > held ? lowered : undefined, expiresAt: lease.windowEnd },
      keep: held,
    };
  }

  #granted(leases: readonly Lease[], renewals: readonly LeaseRenewal[], grants: readonly LeaseGrant[], now: number): void {
    for (let i = 0; i < leases.length; i++) {
      const lease = leases[i]!;
      const { spent, entry, keep } = renewals[i]!;
      const grant = grants[i]!;
      lease.renewing = false;
      lease.id = grant.id;
      lease.size = grant.id === undefined ? 0 : grant.granted ? entry.amount : keep;
      if (!grant.granted) lease.refusedAt = now;
      lease.spent -= spent;
      lease.renewedAt = now;
      lease.usableUntil = now + this.#leaseMillis / 2;
    }
    if (this.#failing) logger.info('costctl renews its budget leases again');
    this.#failing = false;
    this.#forgetIdle();
  }

  /** Not renewed: the spend stays to commit, and no call is admitted against these leases until a renewal succeeds. */
  #failed(leases: readonly Lease[], error: unknown): void {
    for (const lease of leases) {
      lease.renewing = false;
      lease.usableUntil = 0;
    }
    if (this.#failing) return;
    this.#failing = true;
    logger.warn('costctl could not renew its budget leases: calls reserve in the store one by one until it can', { error: String(error) });
  }

  /** Drops leases that hold and owe nothing; stops the timer when none is left. */
  #forgetIdle(): void {
    for (const lease of this.#retired) if (idle(lease)) this.#retired.delete(lease);
    for (const [rule, lease] of this.#current) if (idle(lease) && lease.demand === 0) this.#current.delete(rule);
    if (this.#current.size === 0 && this.#retired.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

function idle(lease: Lease): boolean {
  return !lease.renewing && lease.id === undefined && lease.calls === 0 && lease.spent === 0;
}
