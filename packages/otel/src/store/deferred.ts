import { CostctlStoreError } from '../model/errors.js';
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

/**
 * A store that is still being loaded (`@costctl/store-redis` is imported on
 * demand, so `@costctl/otel` never depends on it): every operation waits for
 * the load, then goes to the loaded store. A store that cannot be loaded
 * fails closed: the gate reads as tripped with the reason, and reservations
 * are refused.
 *
 * @example
 * const store = new DeferredStore(import('@costctl/store-redis').then((m) => new m.RedisStore(options)));
 */
export class DeferredStore implements CostStore {
  readonly #loading: Promise<CostStore | Error>;
  readonly #listeners = new Set<(state: GateState) => void>();
  #store: CostStore | undefined;
  #failure: GateState | undefined;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(load: Promise<CostStore>) {
    this.#loading = load.then(
      (store) => {
        if (this.#closed) {
          void store.close();
          return store;
        }
        this.#store = store;
        this.#unsubscribe = store.onGateChange((state) => {
          for (const listener of this.#listeners) listener(state);
        });
        return store;
      },
      (error: unknown) => {
        const reason = `costctl could not load its store: ${error instanceof Error ? error.message : String(error)}`;
        this.#failure = { tripped: true, reason, actor: 'costctl', since: Date.now() };
        for (const listener of this.#listeners) listener(this.#failure);
        return new CostctlStoreError(reason, '@costctl/store-redis', { cause: error });
      },
    );
  }

  async reserve(entries: readonly CounterEntry[], leaseMillis: number, now: number): Promise<ReserveResult> {
    const store = this.#store ?? (await this.#loading);
    if (store instanceof Error)
      return {
        ok: false,
        index: Math.max(
          0,
          entries.findIndex((entry) => entry.limit !== undefined),
        ),
        spent: Infinity,
      };
    return store.reserve(entries, leaseMillis, now);
  }

  async commit(id: string, spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): Promise<void> {
    return (await this.#loaded()).commit(id, spend, now, aggregates);
  }

  /** A loaded store without leases grants none: its calls reserve one by one. */
  async renewLeases(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): Promise<LeaseGrant[]> {
    const store = await this.#loaded();
    if (store.renewLeases === undefined) return renewals.map(() => ({ id: undefined, granted: false }));
    return store.renewLeases(renewals, leaseMillis, now);
  }

  async seed(seeds: readonly RuleSeed[], now: number): Promise<void> {
    return (await this.#loaded()).seed?.(seeds, now);
  }

  async adjust(spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): Promise<void> {
    return (await this.#loaded()).adjust(spend, now, aggregates);
  }

  async readAggregates(prefixes: readonly string[], now: number): Promise<AggregateRead[]> {
    const store = await this.#loaded();
    if (store.readAggregates === undefined)
      throw new CostctlStoreError('the loaded store cannot read its window aggregates (no readAggregates)', '@costctl/store-redis');
    return store.readAggregates(prefixes, now);
  }

  async release(id: string): Promise<void> {
    return (await this.#loaded()).release(id);
  }

  async read(window: readonly string[], now: number): Promise<WindowSpend> {
    return (await this.#loaded()).read(window, now);
  }

  async gate(): Promise<GateState> {
    const store = this.#store ?? (await this.#loading);
    return store instanceof Error ? this.#failure! : store.gate();
  }

  async changeGate(change: GateChange, now: number): Promise<GateState> {
    return (await this.#loaded()).changeGate(change, now);
  }

  async readAnnounced(key: string): Promise<string | undefined> {
    return (await this.#loaded()).readAnnounced(key);
  }

  async swapAnnounced(key: string, expected: string | undefined, next: string): Promise<boolean> {
    return (await this.#loaded()).swapAnnounced(key, expected, next);
  }

  onGateChange(listener: (state: GateState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  reachable(): boolean {
    return this.#store?.reachable() ?? this.#failure === undefined;
  }

  async audit(): Promise<AuditEntry[]> {
    return (await this.#loaded()).audit();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#unsubscribe?.();
    const store = this.#store ?? (await this.#loading);
    if (!(store instanceof Error)) await store.close();
  }

  async #loaded(): Promise<CostStore> {
    const store = this.#store ?? (await this.#loading);
    if (store instanceof Error) throw store;
    return store;
  }
}
