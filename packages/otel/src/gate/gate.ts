import { logger } from '../model/logger.js';
import { sameGate } from '../store/gate-listeners.js';
import type { CostStore, GateState } from '../store/types.js';

/** Hears each change of the gate as this process sees it: the new state and the one before. */
export type GateListener = (state: GateState, previous: GateState) => void;

/**
 * The emergency gate of every process sharing a store: tripped by a `trip`
 * rule or an operator, reset only by an operator, every change audited by
 * the store. `isTripped()` is O(1): it reads the state the store last
 * pushed, so the hot path never waits on the store.
 *
 * @example
 * await costctl.gate.trip({ reason: 'retry storm on checkout', actor: 'alice' });
 */
export class Gate {
  readonly #store: CostStore;
  #state!: GateState;
  #ready: Promise<void> | undefined;
  readonly #unsubscribe: () => void;
  readonly #listeners = new Set<GateListener>();

  /**
   * @param initial the gate as the store holds it now; a promise for a store
   * that answers asynchronously (Redis), during which `ready` is pending.
   */
  constructor(store: CostStore, initial: GateState | Promise<GateState>) {
    this.#store = store;
    this.#unsubscribe = store.onGateChange((state) => this.#set(state));
    if (!(initial instanceof Promise)) {
      this.#state = initial;
      return;
    }
    // Until the store first answers, the state is unknown: admissions wait for `ready`.
    this.#state = { tripped: false, reason: undefined, actor: undefined, since: undefined };
    let heard = false;
    const unsubscribe = store.onGateChange(() => (heard = true));
    this.#ready = initial
      .then(
        (state) => {
          if (!heard) this.#state = state;
        },
        (error: unknown) => {
          this.#set({ tripped: true, reason: `costctl could not read the gate: ${String(error)}`, actor: 'costctl', since: Date.now() });
        },
      )
      .finally(() => {
        unsubscribe();
        this.#ready = undefined;
      });
  }

  /** Pending until the store has first said what the gate is; undefined after. */
  get ready(): Promise<void> | undefined {
    return this.#ready;
  }

  /** The gate as this process last saw it. */
  state(): GateState {
    return this.#state;
  }

  isTripped(): boolean {
    return this.#state.tripped;
  }

  /**
   * Calls `listener` on every change of the gate this process sees: a trip
   * or reset made here or in another process sharing the store, and the
   * store failing closed or recovering. Returns the unsubscribe function.
   *
   * @example
   * const stop = costctl.gate.onChange((state) => console.log(state.tripped ? `tripped: ${state.reason}` : 'open'));
   */
  onChange(listener: GateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Trips the gate for every process sharing the store; audited. */
  async trip(change: { reason: string; actor?: string }): Promise<GateState> {
    this.#set(await this.#store.changeGate({ action: 'trip', reason: change.reason, actor: change.actor ?? operator() }, Date.now()));
    return this.#state;
  }

  /** Resets the gate for every process sharing the store; audited. Only an operator (or the API) does this. */
  async reset(change: { reason: string; actor?: string }): Promise<GateState> {
    this.#set(await this.#store.changeGate({ action: 'reset', reason: change.reason, actor: change.actor ?? operator() }, Date.now()));
    return this.#state;
  }

  close(): void {
    this.#unsubscribe();
    this.#listeners.clear();
  }

  #set(state: GateState): void {
    const previous = this.#state;
    this.#state = state;
    if (previous === undefined || sameGate(previous, state)) return;
    for (const listener of this.#listeners) {
      try {
        listener(state, previous);
      } catch (error) {
        logger.error('costctl gate listener threw', { error: String(error) });
      }
    }
  }
}

function operator(): string {
  return process.env.USER ?? process.env.LOGNAME ?? `pid:${process.pid}`;
}
