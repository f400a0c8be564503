/**
 * What budgets and the gate need from a store, whatever holds the state:
 * this process (memory), every process of a host (file), or a fleet (Redis).
 * Every method may answer synchronously or with a promise.
 */

type MaybePromise<T> = T | Promise<T>;

/** One counter a call reserves against, for one rule. */
export interface CounterEntry {
  /** The counter the call adds to: a window key, or a rolling window's current bucket. */
  counter: string;
  /** Every counter whose sum is the window's spend (the counter itself, or a rolling window's live buckets). */
  window: readonly string[];
  /** The worst case reserved now, in the rule's unit. */
  amount: number;
  /** When set, the whole reservation fails if the window's spend + reserved + amount would pass it. */
  limit: number | undefined;
  /** After this instant the counter's window is over and the store may forget it. */
  expiresAt: number;
}

/** What a call really cost on one counter, when it settles. */
export interface CounterSpend {
  counter: string;
  amount: number;
  /** The counter's window end, to create it if it went away meanwhile. */
  expiresAt: number;
}

/**
 * What settled calls add to the store's window aggregates: the same
 * three amounts under every key `window.prefix + dimension` — each window
 * (a calendar hour, a day, all time) by each scope dimension of the call
 * (`*`, `provider=…`, `model=…`, `label:<key>=…`). A rule added later is
 * seeded from them (see `seed`).
 */
export interface AggregateSpend {
  windows: readonly { prefix: string; expiresAt: number }[];
  dimensions: readonly string[];
  usd: number;
  tokens: number;
  requests: number;
}

/** One window aggregate as a store reads it back: its key (`window.prefix + dimension`) and what was added to it. */
export interface AggregateRead {
  /** `day:2026-12-07|model=gpt-4o-mini`, `total|*`: as `AggregateSpend` wrote it. */
  key: string;
  usd: number;
  tokens: number;
  requests: number;
}

/** One rule definition to count the spend its window already had, once. */
export interface RuleSeed {
  /** The definition's identity (name, unit, window, scope); a seed whose `seen` the store holds already is left alone. */
  seen: string;
  /** The rule's counter of its current window, and that window's end. */
  counter: string;
  expiresAt: number;
  unit: 'usd' | 'tokens' | 'requests';
  /**
   * Per scope dimension of the rule, the aggregate keys whose sum is that
   * dimension's use in the window; the counter becomes at least the least
   * of these sums (a scope of several dimensions can have used no more
   * than any one of them).
   */
  from: readonly (readonly string[])[];
}

export type ReserveResult =
  | { ok: true; id: string }
  /** `index` is the first entry whose limit would be passed; `spent` its window's spend + reserved. */
  | { ok: false; index: number; spent: number };

/**
 * One lease of headroom on one counter, taken, renewed or given back by
 * `renewLeases`: a reservation a process admits many calls against in memory.
 */
export interface LeaseRenewal {
  /** The reservation holding the lease now; undefined for a new lease. */
  id: string | undefined;
  /** What the calls admitted against it cost since its last renewal: added to `entry.counter`'s spend. */
  spent: number;
  /** The counter, and what the lease asks to hold from now on (`amount`, checked against `limit` as `reserve` checks). */
  entry: CounterEntry;
  /** Held instead, whatever the limit, when `entry.amount` does not fit: the worst cases of the calls it admitted that are still in flight. */
  keep: number;
}

/** What a lease holds after `renewLeases`. */
export interface LeaseGrant {
  /** The reservation holding it from now on; undefined when it holds nothing. */
  id: string | undefined;
  /** True when it holds the amount asked; false when only its `keep`. */
  granted: boolean;
}

/** A window's committed spend and what in-flight calls hold reserved in it. */
export interface WindowSpend {
  spent: number;
  reserved: number;
}

export interface GateState {
  tripped: boolean;
  /** Why it was last tripped or reset. */
  reason: string | undefined;
  /** Who last changed it: an operator, or `rule:<name>`. */
  actor: string | undefined;
  /** When it last changed, ms since epoch. */
  since: number | undefined;
}

export interface GateChange {
  action: 'trip' | 'reset';
  reason: string;
  actor: string;
}

/** One line of the gate's audit log. */
export interface AuditEntry {
  time: string;
  action: 'trip' | 'reset';
  reason: string;
  actor: string;
  host: string;
  pid: number;
  /** Whether the gate was tripped before this change. */
  wasTripped: boolean;
}

export interface CostStore {
  /**
   * Reserves every entry at once, or none: atomically with respect to every
   * other process sharing the store. A reservation never settled expires
   * after `leaseMillis` (its process died, or the call was abandoned).
   */
  reserve(entries: readonly CounterEntry[], leaseMillis: number, now: number): MaybePromise<ReserveResult>;
  /**
   * Replaces a reservation by what the call really cost. The spend counts
   * even when the reservation's lease ran out first (a call longer than its
   * lease still costs what it cost); a reservation is only ever let go once.
   * `aggregates` are added to the window aggregates in the same operation
   * (with an id that names no reservation and no spend, that is all it does).
   */
  commit(id: string, spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): MaybePromise<void>;
  /**
   * Adds spend that belongs to no call (an operator's correction to a bill),
   * and `aggregates` to the window aggregates in the same operation, so the
   * fleet's spend read from them counts it. Unlike `commit`, which must never
   * fail a call, it throws (or rejects) a `CostctlStoreError` when the spend
   * was not recorded.
   */
  adjust(spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): MaybePromise<void>;
  /**
   * Renews leases in one operation, atomic with respect to every other
   * process: for each, in order, lets reservation `id` go, commits `spent`,
   * then holds `entry.amount` if the window's spend + reserved + it stays
   * within `entry.limit`, else `keep` (a lease never gives up the worst
   * cases of calls it admitted). What is held expires after `leaseMillis`,
   * as a reservation does; the spend counts even when the old one had
   * expired. An amount of 0 (and `keep` 0) gives the lease back. Throws (or
   * rejects) when not renewed; the caller renews again with the same `id`
   * and at least the same `spent`, which the store counts once even if the
   * renewal that failed was applied after all (an answer lost in a timeout).
   * Optional: without it, every call reserves in the store.
   */
  renewLeases?(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): MaybePromise<LeaseGrant[]>;
  /** Drops a reservation without spend. */
  release(id: string): MaybePromise<void>;
  /** The spend of a window: the sum of its counters. */
  read(window: readonly string[], now: number): MaybePromise<WindowSpend>;
  /**
   * For each rule definition the store has never seen, atomically and once
   * for every process sharing the store: marks it seen and raises its
   * counter to what the aggregates say its scope already used in the
   * window. Optional: a store without it starts new rules from zero.
   */
  seed?(seeds: readonly RuleSeed[], now: number): MaybePromise<void>;
  /**
   * Every window aggregate whose key starts with one of `prefixes` (`day:`,
   * `day:2026-12-07|`, `total|*`) and that is still kept at `now`: what
   * every process sharing the store added, for reports of the whole fleet.
   * Throws (or rejects) a `CostctlStoreError` when they cannot be read.
   * Optional: a store without it has no fleet-wide reports.
   */
  readAggregates?(prefixes: readonly string[], now: number): MaybePromise<AggregateRead[]>;

  /** The gate to enforce: while the store cannot be used, the fail-closed state (see `reachable`). */
  gate(): MaybePromise<GateState>;
  /**
   * Applies a gate change atomically and appends it to the audit log; returns
   * the new state. Throws (or rejects) a `CostctlStoreError` when the change
   * was not recorded: the audit log holds only changes that happened.
   */
  changeGate(change: GateChange, now: number): MaybePromise<GateState>;
  /** Calls `listener` whenever the gate changes, in this process or (for shared stores) another. */
  onGateChange(listener: (state: GateState) => void): () => void;
  audit(): MaybePromise<AuditEntry[]>;
  /**
   * The value last written under `key` by `swapAnnounced`, or undefined.
   * What costctl has announced (a rule's level, the gate's state), so that
   * each change is announced once by the whole fleet, not once per process.
   */
  readAnnounced(key: string): MaybePromise<string | undefined>;
  /**
   * Writes `next` under `key` only if it holds `expected` now (undefined:
   * nothing), atomically with respect to every process sharing the store.
   * True when this call wrote it: the one process that announces the change.
   */
  swapAnnounced(key: string, expected: string | undefined, next: string): MaybePromise<boolean>;
  /** False while the store cannot be used (its file unreadable, Redis unreachable): what `costctl.store.reachable` shows. */
  reachable(): boolean;

  close(): MaybePromise<void>;
}
