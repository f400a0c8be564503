import { gateAlert, type AlertDispatcher } from './alerts.js';
import { logger } from '../model/logger.js';
import type { CostStore, GateState } from '../store/types.js';
import type { Gate } from '../gate/gate.js';

/** The store key of the gate's last announced state. */
const ANNOUNCED_KEY = 'gate';

/**
 * Announces every change of the gate (`onAlert`, the log, the webhook):
 * a trip or reset stored for the fleet is announced once, by the process
 * whose compare-and-set records it as announced (whichever process made it:
 * this one, another, the CLI); this process failing closed on a store it
 * cannot use, and recovering, is announced by this process. Returns the
 * unsubscribe function.
 *
 * @example
 * const stop = announceGateChanges(gate, store, alerts);
 */
export function announceGateChanges(gate: Gate, store: CostStore, alerts: AlertDispatcher): () => void {
  // A store already unusable at start-up (its file unreadable) is a fail-closed entry too.
  if (failedClosed(gate.state())) alerts.fire(gateAlert('fail_closed', gate.state()));
  return gate.onChange((state, previous) => {
    const failing = failedClosed(state);
    if (failing) {
      if (!failedClosed(previous)) alerts.fire(gateAlert('fail_closed', state));
      return;
    }
    if (failedClosed(previous)) alerts.fire(gateAlert('recovered', state));
    announceStored(state, store, alerts).catch((error: unknown) =>
      logger.warn('costctl could not record a gate change as announced; it was not announced', { tripped: state.tripped, error: String(error) }),
    );
  });
}

/** A stored trip or reset: announced by the one process that moves the gate's announced state to it. */
async function announceStored(state: GateState, store: CostStore, alerts: AlertDispatcher): Promise<void> {
  // Open and never changed: there is no change to announce.
  if (!state.tripped && state.since === undefined) return;
  const next = JSON.stringify({ tripped: state.tripped, actor: state.actor ?? null, since: state.since ?? null });
  const announced = await store.readAnnounced(ANNOUNCED_KEY);
  if (announced === next) return;
  // Lost: another process announced this change, or a newer one.
  if (!(await store.swapAnnounced(ANNOUNCED_KEY, announced, next))) return;
  alerts.fire(gateAlert(state.tripped ? 'trip' : 'reset', state));
}

/** Tripped by costctl itself because its store cannot be used: this process's own state, not the fleet's. */
export function failedClosed(state: GateState): boolean {
  return state.tripped && state.actor === 'costctl';
}
