import { join } from 'node:path';
import type { CostctlConfig } from '../config/schema.js';
import { CostctlError, CostctlStoreError } from '../model/errors.js';
import { withoutCredentials } from '../model/redacted-url.js';
import { storeFailure } from '../store/file-failure.js';
import type { AuditEntry, CostStore, GateState } from '../store/types.js';
import type { Gate, GateListener } from './gate.js';

/** Who changes the gate and why: both go into the audit log. `actor` defaults to the OS user. */
export interface GateChangeRequest {
  reason: string;
  actor?: string;
}

/**
 * The emergency gate, one API for apps (`start().gate`) and operators
 * (`openState().gate`). Every method either does what it says or rejects
 * with a `CostctlStoreError` saying what did not happen and why.
 *
 * @example
 * const gate = start().gate;
 * if ((await gate.state()).tripped) console.log('paid APIs are blocked');
 * await gate.reset({ reason: 'loop fixed', actor: 'bob' });
 */
export interface GateControl {
  /**
   * The stored gate as this process holds it: what its calls are checked
   * against and what `onChange` last told (the store pushes every change).
   * Rejects with `CostctlStoreError` while the store cannot be read: the
   * fail-closed block this process applies then is not a state anyone stored.
   */
  state(): Promise<GateState>;
  /**
   * Calls `listener` on each change of the gate this process sees (here, in
   * another process, the store failing closed or recovering); returns the
   * unsubscribe function.
   */
  onChange(listener: GateListener): () => void;
  /** Trips the gate: every call to a paid API is blocked until `reset`. Audited. */
  trip(change: GateChangeRequest): Promise<GateState>;
  /** Resets the gate (the operator's recovery). Audited. */
  reset(change: GateChangeRequest): Promise<GateState>;
  /** Every change of the gate, oldest first. */
  audit(): Promise<AuditEntry[]>;
}

/** The API of `gate`, which changes it, over the store it shares with every other process. */
export function gateControl(gate: Gate, store: CostStore, config: CostctlConfig): GateControl {
  return {
    state: async () => {
      await gate.ready;
      // The view this process enforces, so it agrees with what onChange told; the fail-closed stand-in is no stored state.
      if (!store.reachable()) throw unreachable(config, gate.state());
      return gate.state();
    },
    onChange: (listener) => gate.onChange(listener),
    trip: (change) => gate.trip(change),
    reset: (change) => gate.reset(change),
    audit: async () => store.audit(),
  };
}

/** The gate of a costctl disabled in this process: open, and no change can be made through it. */
export function disabledGateControl(): GateControl {
  const open: GateState = { tripped: false, reason: undefined, actor: undefined, since: undefined };
  const refuse = () =>
    Promise.reject(
      new CostctlError(
        'COSTCTL_DISABLED',
        'the gate was NOT changed: costctl is disabled in this process (COSTCTL_DISABLED=true); change the shared gate with `costctl gate trip|reset` instead',
      ),
    );
  return { state: async () => open, onChange: () => () => {}, trip: refuse, reset: refuse, audit: async () => [] };
}

/** The gate could not be read: names the store and, where it said, why. */
function unreachable(config: CostctlConfig, standIn: GateState): CostctlStoreError {
  const cause = standIn.actor === 'costctl' ? standIn.reason?.replace(/^costctl (store unreachable|state unreadable): /, '') : undefined;
  if (config.store === 'redis') {
    const where = config.redis.url === undefined ? 'the configured URL' : withoutCredentials(config.redis.url);
    const why = cause === undefined ? '' : ` (${cause})`;
    return new CostctlStoreError(
      `could not read the gate: the Redis store at ${where} did not answer${why}; check that Redis is running and reachable there, then retry`,
      where,
    );
  }
  return storeFailure('could not read the gate', config.stateDir, cause ?? 'unreadable', join(config.stateDir, 'state.sqlite'));
}
