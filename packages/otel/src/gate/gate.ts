import type { CostStore, GateState } from '../store/types.js';

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
  #state: GateState;
  readonly #unsubscribe: () => void;

  constructor(store: CostStore, initial: GateState) {
    this.#store = store;
    this.#state = initial;
    this.#unsubscribe = store.onGateChange((state) => (this.#state = state));
  }

  /** The gate as this process last saw it. */
  state(): GateState {
    return this.#state;
  }

  isTripped(): boolean {
    return this.#state.tripped;
  }

  /** Trips the gate for every process sharing the store; audited. */
  async trip(change: { reason: string; actor?: string }): Promise<GateState> {
    this.#state = await this.#store.changeGate({ action: 'trip', reason: change.reason, actor: change.actor ?? operator() }, Date.now());
    return this.#state;
  }

  /** Resets the gate for every process sharing the store; audited. Only an operator (or the API) does this. */
  async reset(change: { reason: string; actor?: string }): Promise<GateState> {
    this.#state = await this.#store.changeGate({ action: 'reset', reason: change.reason, actor: change.actor ?? operator() }, Date.now());
    return this.#state;
  }

  close(): void {
    this.#unsubscribe();
  }
}

function operator(): string {
  return process.env.USER ?? process.env.LOGNAME ?? `pid:${process.pid}`;
}
