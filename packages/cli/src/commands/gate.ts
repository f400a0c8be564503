import { hostname, userInfo } from 'node:os';
import { openState, type GateState } from '@costctl/otel';
import { parse, UsageError, type Command } from '../command.js';

/** Exit code of `gate status` (and `status`) while the gate is tripped: scriptable in health checks. */
export const GATE_TRIPPED_EXIT = 3;

/**
 * `costctl gate trip|reset --reason R`: the operator's kill switch and
 * recovery, audited; `costctl gate status`: the gate as the store holds it.
 * A store that cannot be used rejects with a coded error: nothing is said
 * to have changed unless the store confirmed it.
 */
export const gate: Command = async (args, { cwd, env, out, logger }) => {
  const [action, ...rest] = args;
  if (action === 'status') return gateStatus(rest, { cwd, env, out, logger });
  if (action !== 'trip' && action !== 'reset') throw new UsageError('gate needs trip, reset or status, e.g. costctl gate trip --reason "retry storm"');
  const { values } = parse(rest, { reason: { type: 'string' }, actor: { type: 'string' } });
  if (!values.reason?.trim()) throw new UsageError(`gate ${action} needs --reason: it goes into the audit log`);
  const state = await openState({ cwd, env, logger });
  try {
    const change = { reason: values.reason, actor: values.actor ?? `${userInfo().username}@${hostname()}` };
    const after = action === 'trip' ? await state.trip(change) : await state.reset(change);
    out(after.tripped ? `gate tripped: every process sharing ${state.config.store === 'memory' ? 'this process' : 'the store'} now blocks calls to paid APIs\n` : 'gate reset: calls flow again\n');
    return 0;
  } finally {
    await state.close();
  }
};

const gateStatus: Command = async (args, { cwd, env, out, logger }) => {
  const { values } = parse(args, { json: { type: 'boolean', default: false } });
  const state = await openState({ cwd, env, logger });
  try {
    const gate = await state.gate();
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
