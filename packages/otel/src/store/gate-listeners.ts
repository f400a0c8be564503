import type { GateState } from './types.js';

/** Two gate states that say the same: listeners hear no change between them. */
export function sameGate(a: GateState, b: GateState): boolean {
  return a.tripped === b.tripped && a.reason === b.reason && a.actor === b.actor && a.since === b.since;
}

/**
 * The listeners of a store's `onGateChange`: each hears every change of the
 * gate once, in order, and a listener that throws is logged, never passed on
 * to the store that published.
 *
 * @example
 * readonly #gate = new GateListeners((message, fields) => this.#log.error(message, fields));
 * onGateChange(listener) { return this.#gate.add(listener); }
 * // after reading the gate: this.#gate.publish(state);
 */
export class GateListeners {
  readonly #listeners = new Set<(state: GateState) => void>();
  readonly #logError: (message: string, fields: Record<string, unknown>) => void;
  #last: GateState = Object.freeze({ tripped: false, reason: undefined, actor: undefined, since: undefined });

  constructor(logError: (message: string, fields: Record<string, unknown>) => void) {
    this.#logError = logError;
  }

  /** The gate as listeners last heard it (open before the first publish). */
  get last(): GateState {
    return this.#last;
  }

  /** Adds `listener`; returns the function that removes it. */
  add(listener: (state: GateState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes `state` as what listeners last heard, telling none of them: where a store starts, not a change. */
  start(state: GateState): void {
    this.#last = state;
  }

  /** Tells every listener of `state`, unless it says what they last heard. */
  publish(state: GateState): void {
    if (sameGate(state, this.#last)) return;
    this.#last = state;
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch (error) {
        this.#logError('costctl gate listener threw', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
