import type { RuleUnit } from '../config/schema.js';
import { logger } from '../model/logger.js';
import type { CostStore, LeaseGrant, LeaseRenewal } from '../store/types.js';
import type { BudgetRule, RuleWindow } from './rules.js';

/** While any lease is held, what leased calls spent is committed and leases are renewed this often. */
export const RENEW_EVERY_MS = 100;
/** A lease asks for about this long of its rule's recent demand. */
const DEMAND_MS = 1_500;
/** And for at least this many of the largest worst case its rule has seen. */
const FLOOR_CALLS = 16;
/** And for this many times what its calls in flight held at their most: a burst of calls fits. */
const BURST_FACTOR = 2;
/** At most this share of a rule's limit per lease: one process never holds much of what a fleet shares. */
const CAP_SHARE = 1 / 32;
/** A lease is granted only while its window keeps this many leases' worth free besides: nearer the limit, calls reserve one by one. */
const MARGIN_LEASES = 8;

/**
 * The calls one lease admitted within a quarter of the lease length: let go
 * together once that much older than a lease, as the store lets a
 * reservation go (a call never settled must not hold its lease forever).
 */
export class Admitted {
  readonly lease: Lease;
  readonly since: number;
  held = 0;
  calls = 0;
  /** Let go: a late settle still counts what the calls cost, and holds nothing. */
  expired = false;

  constructor(lease: Lease, since: number) {
    this.lease = lease;
    this.since = since;
  }

  /** A call admitted here ended: its worst case is let go, what it cost is spent (committed at the lease's next renewal). */
  settle(worst: number, cost: number): void {
    this.release(worst);
    this.lease.spent += cost;
    // Its lease may have been given back and forgotten meanwhile: the spend is still owed to the store.
    if (this.expired) this.lease.owe(this.lease);
  }

  release(worst: number): void {
    if (this.expired) return;
    this.held = --this.calls === 0 ? 0 : this.held - worst;
    this.lease.let(worst);
  }
}

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
  /** A call asked for this rule since the last renewal, admitted here or not: a lease nobody asks for is given back. */
  asked = false;
  /** The worst cases of calls that asked since `demandSince`, admitted here or not. */
  demand = 0;
  demandSince: number;
  /** The demand per ms, measured over at least `RENEW_EVERY_MS`. */
  rate = 0;
  /** The most its calls in flight held since the last renewal: a lease covers a burst of that size too. */
  peak = 0;
  largest = 0;
  /** Calls are admitted against it until then, well before the store lets it go. */
  usableUntil = 0;
  renewedAt = 0;
  /** When the store last refused it headroom: it asks again only at the next regular renewal. */
  refusedAt = -Infinity;
  /** A renewal is on its way to the store: meanwhile calls are admitted only within `allowance`. */
  renewing = false;
  /** While renewing: what calls may still take, which the store holds whatever it answers (the renewal's `keep` counts it). */
  allowance = 0;
  /** Its window moved on: it admits nothing more, and is given back once its calls settle. */
  retired = false;
  /** Tells the book this lease has spend to commit, should it have forgotten it. */
  readonly owe: (lease: Lease) => void;
  readonly #leaseMillis: number;
  /** Oldest first. */
  readonly #admitted: Admitted[] = [];

  constructor(rule: BudgetRule, window: RuleWindow, now: number, leaseMillis: number, owe: (lease: Lease) => void) {
    this.rule = rule;
    this.counter = window.counter;
    this.window = window.window;
    this.windowEnd = window.expiresAt;
    this.demandSince = now;
    this.#leaseMillis = leaseMillis;
    this.owe = owe;
  }

  /** True when a call with this worst case can be admitted against it now. */
  fits(amount: number, now: number): boolean {
    if (this.id === undefined || this.retired || now >= this.usableUntil) return false;
    // What sums of binary fractions lose in rounding does not strand a call.
    const slack = this.size * 1e-12;
    return this.renewing ? this.allowance + slack >= amount : this.size - this.held - this.spent + slack >= amount;
  }

  admit(worst: number, now: number): Admitted {
    let admitted = this.#admitted.at(-1);
    if (admitted === undefined || now - admitted.since >= this.#leaseMillis / 4) this.#admitted.push((admitted = new Admitted(this, now)));
    admitted.held += worst;
    admitted.calls++;
    this.held += worst;
    if (this.held > this.peak) this.peak = this.held;
    this.calls++;
    if (this.renewing) this.allowance -= worst;
    return admitted;
  }

  /** @internal A call it admitted let go of its worst case. */
  let(worst: number): void {
    this.held = --this.calls === 0 ? 0 : this.held - worst;
  }

  /** Lets go of calls admitted a lease length ago or more, and forgets the stretches whose calls all ended. */
  expire(now: number): void {
    const admitted = this.#admitted;
    while (admitted.length > 0 && (admitted[0]!.calls === 0 || now - admitted[0]!.since >= this.#leaseMillis)) {
      const oldest = admitted.shift()!;
      if (oldest.calls === 0) continue;
      oldest.expired = true;
      this.calls -= oldest.calls;
      this.held = this.calls === 0 ? 0 : this.held - oldest.held;
    }
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
  /** Renewals fail: said once, until one succeeds. */
  #failing = false;
  /** The store answers renewals at once (file), so a call that finds no room renews and retries before it returns. */
  #synchronous: boolean | undefined;

  constructor(store: CostStore, leaseMillis: number) {
    this.#store = store;
    this.#leaseMillis = leaseMillis;
  }

  /**
   * Where a call is admitted, on each lease, each now holding its worst case;
   * undefined when one of them has no room for it (the call reserves in the store).
   * Without `wait`, never a promise: no room now is undefined.
   */
  take(
    rules: readonly BudgetRule[],
    amounts: Readonly<Record<RuleUnit, number>>,
    now: number,
    wait = true,
  ): Admitted[] | Promise<Admitted[] | undefined> | undefined {
    const leases = this.#leases(rules, amounts, now);
    if (leases !== undefined) return leases;
    // A caller that must be answered now (a call of the undici package, admitted inside its request) reserves in the store instead.
    if (!wait) return undefined;
    // A renewal on its way answers as soon as a reservation of this call would: wait for it rather than add a store operation.
    if (this.#renewal !== undefined) {
      // Sized before this call asked, it may be too small: then one more, sized with it.
      return this.#renewal.then(() => this.#leases(rules, amounts, Date.now(), false) ?? this.#ask(rules, amounts, Date.now()));
    }
    return this.#ask(rules, amounts, now);
  }

  /** Renews now and tries `rules` again: at once with a synchronous store, else once the renewal is answered. */
  #ask(rules: readonly BudgetRule[], amounts: Readonly<Record<RuleUnit, number>>, now: number): Admitted[] | Promise<Admitted[] | undefined> | undefined {
    // The call asks again: its leases want headroom at the renewal it waits for (its demand is counted already).
    for (const rule of rules) this.#lease(rule, now).asked = true;
    if (this.#renewal !== undefined) return this.#renewal.then(() => this.#leases(rules, amounts, Date.now(), false));
    if (this.#synchronous === true) {
      this.#renew(now, false);
      return this.#leases(rules, amounts, now, false);
    }
    // Asked at the end of this turn of the event loop: a burst of calls made together is counted in the size of the lease it waits for.
    const asked = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.#renewal = undefined;
      return this.#renew(Date.now(), false);
    });
    this.#renewal = asked;
    return asked.then(() => this.#leases(rules, amounts, Date.now(), false));
  }

  /** True when every rule's lease has room for its amount now: `take` would admit there with no store operation. Holds nothing. */
  fits(rules: readonly BudgetRule[], amounts: Readonly<Record<RuleUnit, number>>, now: number): boolean {
    for (const rule of rules) {
      const lease = this.#current.get(rule);
      if (lease === undefined || lease.counter !== rule.windowNow(now).counter || !lease.fits(amounts[rule.config.unit], now)) return false;
    }
    return true;
  }

  /**
   * What `rule`'s leases on the counters of `window` use beyond what the
   * store holds for them: spend not committed yet and the worst cases of
   * calls in flight, less the size of their reservations. Negative while a
   * lease holds room no call took: a renewal would give it back before the
   * store refused a call for want of it.
   */
  unstored(rule: BudgetRule, window: readonly string[]): number {
    let extra = 0;
    const current = this.#current.get(rule);
    if (current !== undefined && window.includes(current.counter)) extra += unstored(current);
    for (const lease of this.#retired) if (lease.rule === rule && window.includes(lease.counter)) extra += unstored(lease);
    return extra;
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

  #leases(rules: readonly BudgetRule[], amounts: Readonly<Record<RuleUnit, number>>, now: number, count = true): Admitted[] | undefined {
    const leases: Lease[] = [];
    let fits = true;
    for (const rule of rules) {
      const amount = amounts[rule.config.unit];
      const lease = this.#lease(rule, now);
      if (count) {
        lease.asked = true;
        lease.demand += amount;
        if (amount > lease.largest) lease.largest = amount;
      }
      if (!lease.fits(amount, now)) fits = false;
      leases.push(lease);
    }
    if (!fits) return undefined;
    return leases.map((lease, i) => lease.admit(amounts[rules[i]!.config.unit], now));
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
    lease = new Lease(rule, window, now, this.#leaseMillis, this.#owe);
    this.#current.set(rule, lease);
    this.#timer ??= setInterval(() => void this.#tick(), RENEW_EVERY_MS).unref();
    return lease;
  }

  readonly #owe = (lease: Lease): void => {
    if (this.#current.get(lease.rule) !== lease) {
      lease.retired = true;
      this.#retired.add(lease);
    }
    this.#timer ??= setInterval(() => void this.#tick(), RENEW_EVERY_MS).unref();
  };

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
    for (const lease of [...this.#current.values(), ...this.#retired]) {
      const renewal = this.#renewalOf(lease, now, giveBack);
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
    this.#synchronous = !(answer instanceof Promise);
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
  #renewalOf(lease: Lease, now: number, giveBack: boolean): LeaseRenewal | undefined {
    lease.expire(now);
    const { rule, held, spent } = lease;
    const limit = rule.config.action === 'alert' ? undefined : rule.config.limit;
    const elapsed = now - lease.demandSince;
    if (elapsed >= RENEW_EVERY_MS) {
      lease.rate = lease.demand / elapsed;
      lease.demand = 0;
      lease.demandSince = now;
    }
    let amount = held;
    let lowered = limit;
    let allowance = 0;
    if (!giveBack && !lease.retired && lease.asked && now - lease.refusedAt >= RENEW_EVERY_MS) {
      const cap = limit === undefined ? Infinity : limit * CAP_SHARE;
      const rate = Math.max(lease.rate, lease.demand / RENEW_EVERY_MS);
      const wanted = Math.max(rate * DEMAND_MS, BURST_FACTOR * lease.peak, FLOOR_CALLS * lease.largest);
      // Whole calls' worth (a requests rule leases whole requests); a lease too small for one call is no lease: those calls reserve one by one.
      const calls = Math.floor(Math.min(cap, wanted) / lease.largest);
      const headroom = calls * lease.largest;
      if (calls >= 1) {
        amount = held + headroom;
        if (limit !== undefined) lowered = limit - MARGIN_LEASES * headroom;
        // Calls go on being admitted while an asynchronous store answers, within room the old lease holds already.
        if (this.#synchronous !== true && lease.id !== undefined && now < lease.usableUntil)
          allowance = Math.max(0, Math.min(headroom, lease.size - held - spent));
      }
    }
    lease.asked = false;
    lease.peak = held;
    const expiring = lease.id !== undefined && now - lease.renewedAt >= this.#leaseMillis / 2;
    if (spent === 0 && amount === lease.size && !expiring) return undefined;
    lease.allowance = allowance;
    return {
      id: lease.id,
      spent,
      entry: { counter: lease.counter, window: lease.window, amount, limit: amount > held ? lowered : undefined, expiresAt: lease.windowEnd },
      keep: held + allowance,
    };
  }

  #granted(leases: readonly Lease[], renewals: readonly LeaseRenewal[], grants: readonly LeaseGrant[], now: number): void {
    for (let i = 0; i < leases.length; i++) {
      const lease = leases[i]!;
      const { spent, entry, keep } = renewals[i]!;
      const grant = grants[i]!;
      lease.renewing = false;
      lease.allowance = 0;
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
      lease.allowance = 0;
      lease.usableUntil = 0;
    }
    if (this.#failing) return;
    this.#failing = true;
    logger.warn('costctl could not renew its budget leases: calls reserve in the store one by one until it can', { error: String(error) });
  }

  /** Drops leases that hold and owe nothing; stops the timer when none is left. */
  #forgetIdle(): void {
    for (const lease of this.#retired) if (idle(lease)) this.#retired.delete(lease);
    for (const [rule, lease] of this.#current) if (idle(lease) && !lease.asked) this.#current.delete(rule);
    if (this.#current.size === 0 && this.#retired.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

function idle(lease: Lease): boolean {
  return !lease.renewing && lease.id === undefined && lease.calls === 0 && lease.spent === 0;
}

/** What a lease uses that its reservation in the store does not hold. */
function unstored(lease: Lease): number {
  return lease.held + lease.spent - (lease.id === undefined ? 0 : lease.size);
}
