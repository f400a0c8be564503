import { hostname, userInfo } from 'node:os';
import { openState } from '@costctl/otel';
import { parse, UsageError, type Command } from '../command.js';

/** `costctl gate trip|reset --reason R`: the operator's kill switch and recovery, audited. */
export const gate: Command = async (args, { cwd, env, out }) => {
  const [action, ...rest] = args;
  if (action !== 'trip' && action !== 'reset') throw new UsageError('gate needs trip or reset, e.g. costctl gate trip --reason "retry storm"');
  const { values } = parse(rest, { reason: { type: 'string' }, actor: { type: 'string' } });
  if (!values.reason?.trim()) throw new UsageError(`gate ${action} needs --reason: it goes into the audit log`);
  const state = await openState({ cwd, env });
  try {
    const change = { reason: values.reason, actor: values.actor ?? `${userInfo().username}@${hostname()}` };
    const after = action === 'trip' ? await state.trip(change) : await state.reset(change);
    out(after.tripped ? `gate tripped: every process sharing ${state.config.store === 'memory' ? 'this process' : 'the store'} now blocks calls to paid APIs\n` : 'gate reset: calls flow again\n');
    return 0;
  } finally {
    await state.close();
  }
};
