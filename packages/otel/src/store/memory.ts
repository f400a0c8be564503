import { hostname } from 'node:os';
import { leastSum } from './seed.js';
import type {
  AggregateRead,
  AggregateSpend,
  AuditEntry,
  CostStore,
  CounterEntry,
  CounterSpend,
  GateChange,
  GateState,
  LeaseGrant,
  LeaseRenewal,
  ReserveResult,
  RuleSeed,
  WindowSpend,
} from './types.js';

interface Counter {
  spent: number;
  reserved: number;
  expiresAt: number;
}

interface Aggregate {
  usd: number;
  tokens: number;
  requests: number;
  expiresAt: number;
}

interface Reservation {
  counters: Counter[];
  amounts: number[];
  expiresAt: number;
}

/** How often forgotten windows are swept out, at most. */
const PRUNE_EVERY_MS = 60_000;
/** A window's counter is kept this long after its end, as the file and Redis stores keep theirs: a clock set back finds its spend. */
const PRUNE_AFTER_MS = 86_400_000;

/**
 * The store of one process: counters, reservations and the gate in memory.
 * For a single process and for tests; nothing survives a restart. Every
 * operation is synchronous, so a check-and-reserve is atomic by construction.
 *
 * @example
 * const store = new MemoryStore();
 * store.reserve([{ counter: 'day:2026-11-23', window: ['day:2026-11-23'], amount: 0.02, limit: 10, expiresAt }], 600_000, Date.now());
 */
export class MemoryStore implements CostStore {
  readonly #counters = new Map<string, Counter>();
  readonly #aggregates = new Map<string, Aggregate>();
  readonly #seen = new Set<string>();
  /** In lease order: every reservation has the same lease, so the oldest expires first. */
  readonly #reservations = new Map<string, Reservation>();
  readonly #listeners = new Set<(state: GateState) => void>();
  readonly #audit: AuditEntry[] = [];
  readonly #announced = new Map<string, string>();
  #gate: GateState = { tripped: false, reason: undefined, actor: undefined, since: undefined };
  #nextId = 0;
  #nextPrune = 0;

  reserve(entries: readonly CounterEntry[], leaseMillis: number, now: number): ReserveResult {
    this.#expire(now);
    for (const [index, entry] of entries.entries()) {
      if (entry.limit === undefined) continue;
      const { spent, reserved } = this.read(entry.window, now);
      if (spent + reserved + entry.amount > entry.limit) return { ok: false, index, spent: spent + reserved };
    }
    const counters = entries.map((entry) => this.#counter(entry.counter, entry.expiresAt));
    const amounts = entries.map((entry) => entry.amount);
    counters.forEach((counter, i) => (counter.reserved += amounts[i]!));
    const id = String(++this.#nextId);
    this.#reservations.set(id, { counters, amounts, expiresAt: now + leaseMillis });
    return { ok: true, id };
  }

  commit(id: string, spend: readonly CounterSpend[], now: number, aggregates: readonly AggregateSpend[] = []): void {
    this.#expire(now);
    this.#take(id);
    for (const { counter, amount, expiresAt } of spend) this.#counter(counter, expiresAt).spent += amount;
    for (const aggregate of aggregates) {
      for (const { prefix, expiresAt } of aggregate.windows) {
        for (const dimension of aggregate.dimensions) {
          const key = prefix + dimension;
          let sum = this.#aggregates.get(key);
          if (sum === undefined) this.#aggregates.set(key, (sum = { usd: 0, tokens: 0, requests: 0, expiresAt }));
          sum.usd += aggregate.usd;
          sum.tokens += aggregate.tokens;
          sum.requests += aggregate.requests;
        }
      }
    }
  }

  renewLeases(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): LeaseGrant[] {
    this.#expire(now);
    return renewals.map(({ id, spent, entry, keep }) => {
      if (id !== undefined) this.#take(id);
      const counter = this.#counter(entry.counter, entry.expiresAt);
      counter.spent += spent;
      const { spent: windowSpent, reserved } = this.read(entry.window, now);
      const granted = entry.limit === undefined || windowSpent + reserved + entry.amount <= entry.limit;
      const hold = granted ? entry.amount : keep;
      if (hold <= 0) return { id: undefined, granted };
      counter.reserved += hold;
      const held = String(++this.#nextId);
      this.#reservations.set(held, { counters: [counter], amounts: [hold], expiresAt: now + leaseMillis });
      return { id: held, granted };
    });
  }

  seed(seeds: readonly RuleSeed[], now: number): void {
    for (const seed of seeds) {
      if (this.#seen.has(seed.seen)) continue;
      this.#seen.add(seed.seen);
      const counter = this.#counter(seed.counter, seed.expiresAt);
      counter.spent = Math.max(
        counter.spent,
        leastSum(seed, (key) => this.#aggregateOf(key, now)),
      );
    }
  }

  release(id: string): void {
    this.#take(id);
  }

  adjust(spend: readonly CounterSpend[], now: number, aggregates: readonly AggregateSpend[] = []): void {
    this.commit('', spend, now, aggregates);
  }

  readAggregates(prefixes: readonly string[], now: number): AggregateRead[] {
    const found: AggregateRead[] = [];
    for (const [key, sum] of this.#aggregates) {
      if (sum.expiresAt <= now || !prefixes.some((prefix) => key.startsWith(prefix))) continue;
      found.push({ key, usd: sum.usd, tokens: sum.tokens, requests: sum.requests });
    }
    return found;
  }

  read(window: readonly string[], now: number): WindowSpend {
    let spent = 0;
    let reserved = 0;
    for (const key of window) {
      const counter = this.#counters.get(key);
      if (counter === undefined || counter.expiresAt <= now) continue;
      spent += counter.spent;
      reserved += counter.reserved;
    }
    return { spent, reserved };
  }

  gate(): GateState {
    return this.#gate;
  }

  changeGate(change: GateChange, now: number): GateState {
    const wasTripped = this.#gate.tripped;
    this.#gate = { tripped: change.action === 'trip', reason: change.reason, actor: change.actor, since: now };
    this.#audit.push({ time: new Date(now).toISOString(), ...change, host: hostname(), pid: process.pid, wasTripped });
    for (const listener of this.#listeners) listener(this.#gate);
    return this.#gate;
  }

  onGateChange(listener: (state: GateState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  readAnnounced(key: string): string | undefined {
    return this.#announced.get(key);
  }

  swapAnnounced(key: string, expected: string | undefined, next: string): boolean {
    if (this.#announced.get(key) !== expected) return false;
    this.#announced.set(key, next);
    return true;
  }

  reachable(): boolean {
    return true;
  }

  audit(): AuditEntry[] {
    return [...this.#audit];
  }

  close(): void {
    this.#listeners.clear();
  }

  #counter(key: string, expiresAt: number): Counter {
    // Keys name their window (day:2026-11-23, a rolling bucket's index), so a key is never reused for a later one.
    let counter = this.#counters.get(key);
    if (counter === undefined) {
      counter = { spent: 0, reserved: 0, expiresAt };
      this.#counters.set(key, counter);
    }
    return counter;
  }

  #aggregateOf(key: string, now: number): Aggregate | undefined {
    const sum = this.#aggregates.get(key);
    return sum === undefined || sum.expiresAt <= now ? undefined : sum;
  }

  #take(id: string): Reservation | undefined {
    const reservation = this.#reservations.get(id);
    if (reservation === undefined) return undefined;
    this.#reservations.delete(id);
    reservation.counters.forEach((counter, i) => (counter.reserved -= reservation.amounts[i]!));
    return reservation;
  }

  /** Lets expired reservations go (oldest first, so this stops at the first live one) and forgets old windows. */
  #expire(now: number): void {
    for (const [id, reservation] of this.#reservations) {
      if (reservation.expiresAt > now) break;
      this.#take(id);
    }
    if (now < this.#nextPrune) return;
    this.#nextPrune = now + PRUNE_EVERY_MS;
    for (const [key, counter] of this.#counters) {
      if (counter.expiresAt + PRUNE_AFTER_MS <= now && counter.reserved <= 0) this.#counters.delete(key);
    }
    for (const [key, sum] of this.#aggregates) if (sum.expiresAt <= now) this.#aggregates.delete(key);
  }
}
