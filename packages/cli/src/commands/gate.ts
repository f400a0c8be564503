import { hostname, userInfo } from 'node:os';
import { openState, type GateState } from '@costctl/otel';
import { UsageError, type Command } from '../command.js';

/** Exit code of `gate status` (and `status`) while the gate is tripped: scriptable in health checks. */
export const GATE_TRIPPED_EXIT = 3;

export interface GateChangeOptions {
  /** Why: it goes into the audit log. */
  reason?: string;
  /** Who, when not the user running the command (`user@host`). */
  actor?: string;
}

/**
 * `costctl gate trip|reset --reason R`: the operator's kill switch and
 * recovery, audited. A store that cannot be used rejects with a coded
 * error: nothing is said to have changed unless the store confirmed it.
 */
export function gateChange(action: 'trip' | 'reset'): Command<GateChangeOptions> {
  return async (values, { cwd, env, out, logger, onWarning }) => {
    if (!values.reason?.trim())
      throw new UsageError(`gate ${action} needs --reason: it goes into the audit log, e.g. costctl gate ${action} --reason "retry storm"`);
    const state = await openState({ cwd, env, logger, onWarning });
    try {
      const change = { reason: values.reason, actor: values.actor ?? `${userInfo().username}@${hostname()}` };
      const after = action === 'trip' ? await state.gate.trip(change) : await state.gate.reset(change);
      out(
        after.tripped
          ? `gate tripped: every process sharing ${state.config.store === 'memory' ? 'this process' : 'the store'} now blocks calls to paid APIs\n`
          : 'gate reset: calls flow again\n',
      );
      return 0;
    } finally {
      await state.close();
    }
  };
}

/** `costctl gate status`: the gate as the store holds it; exit 3 while tripped. */
export const gateStatus: Command<{ json?: boolean }> = async (values, { cwd, env, out, logger, onWarning }) => {
  const state = await openState({ cwd, env, logger, onWarning });
  try {
    const gate = await state.gate.state();
    out(values.json ? `${JSON.stringify(gateJson(gate))}\n` : gateLines(gate));
    return gate.tripped ? GATE_TRIPPED_EXIT : 0;
  } finally {
    await state.close();
  }
};

/** The gate as `status` and `gate status` print it. */
export function gateLines(gate: GateState): string {
  if (!gate.tripped) return 'gate: open\n';
  return (
    `gate: TRIPPED since ${new Date(gate.since ?? 0).toISOString()} by ${gate.actor}: ${gate.reason}\n` +
    '      every call to a paid API is blocked; reset with: costctl gate reset --reason "…"\n'
  );
}

/** The gate as JSON: `since` as an ISO time, null when never changed. */
export function gateJson(gate: GateState): Record<string, unknown> {
  return { ...gate, since: gate.since === undefined ? null : new Date(gate.since).toISOString() };
}
