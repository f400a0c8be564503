import { isCostctlError, openState, type CostctlState, type GateState, type RuleView } from '@costctl/otel';
import { UsageError, type Command } from '../command.js';
import { amount, inCurrency, table } from '../format.js';
import { watch } from '../watch.js';
import { GATE_TRIPPED_EXIT, gateJson, gateLines } from './gate.js';

export interface StatusOptions {
  json?: boolean;
  /** Redraw every `interval` seconds until Ctrl-C. */
  watch?: boolean;
  /** Seconds between redraws with --watch; 2 when not given. */
  interval?: string;
}

/** The redraws `--watch` allows: from a tenth of a second to an hour apart. */
const INTERVAL = { min: 0.1, max: 3600, default: 2 };

/**
 * `costctl status`: the gate and every rule; exit 3 while the gate is
 * tripped, for health checks. With `--watch`, redraws until Ctrl-C (exit 0)
 * and shows a store it cannot read in the frame instead of stopping.
 */
export const status: Command<StatusOptions> = async (values, { cwd, env, out, logger, onWarning, terminal }) => {
  if (values.interval !== undefined && !values.watch) throw new UsageError('--interval goes with --watch: costctl status --watch --interval 5');
  const interval = values.watch ? seconds(values.interval) : undefined;
  const state = await openState({ cwd, env, logger, onWarning });
  try {
    if (interval !== undefined) {
      await watch(() => frame(state), { title: 'costctl status', intervalMs: interval * 1000, out, terminal });
      return 0;
    }
    const gate = await state.gate.state();
    const rules = await state.rules();
    out(values.json ? `${JSON.stringify(statusJson(state, gate, rules))}\n` : statusText(state, gate, rules));
    return gate.tripped ? GATE_TRIPPED_EXIT : 0;
  } finally {
    await state.close();
  }
};

/** One frame of `--watch`: the status, or why the store could not be read this time. */
async function frame(state: CostctlState): Promise<string> {
  try {
    return statusText(state, await state.gate.state(), await state.rules());
  } catch (error) {
    if (!isCostctlError(error) || error.code !== 'COSTCTL_STORE_UNAVAILABLE') throw error;
    return `costctl: ${error.message}\n(still watching: the next refresh reads the store again)\n`;
  }
}

function seconds(text: string | undefined): number {
  if (text === undefined) return INTERVAL.default;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < INTERVAL.min || value > INTERVAL.max) {
    throw new UsageError(`--interval "${text}": expected seconds from ${INTERVAL.min} to ${INTERVAL.max}, such as 5 or 0.5`);
  }
  return value;
}

/** `status --json`: the gate as `gate status --json` prints it, the store, and every rule with its spend. */
function statusJson(state: CostctlState, gate: GateState, rules: RuleView[]): Record<string, unknown> {
  const { currency, store, timezone } = state.config;
  // USD stays the unit of record; the display currency is shown beside it.
  const display = (spent: number, unit: string) => (currency !== undefined && unit === 'usd' ? { spentDisplay: spent * currency.perUsd } : {});
  return {
    gate: gateJson(gate),
    store,
    timezone,
    ...(currency === undefined ? {} : { currency }),
    rules: rules.map(({ rule, spent, reserved, level }) => ({
      ...rule,
      // A time, like every time in the CLI's JSON, is an ISO string: when the prepaid balance was bought, or null.
      ...(rule.credits === undefined
        ? {}
        : { credits: { ...rule.credits, since: rule.credits.since === undefined ? null : new Date(rule.credits.since).toISOString() } }),
      spent,
      reserved,
      level,
      ...(rule.credits === undefined ? {} : { remaining: rule.limit - spent }),
      ...display(spent, rule.unit),
    })),
  };
}

function statusText(state: CostctlState, gate: GateState, rules: RuleView[]): string {
  const { currency, store, timezone } = state.config;
  const head = `${gateLines(gate)}store: ${store}, time zone ${timezone}\n\n`;
  if (rules.length === 0) return `${head}no budget rules (set COSTCTL_DAILY_LIMIT_USD, or run costctl init)\n`;
  return (
    head +
    table(
      ['rule', 'window', 'spent', ...(currency ? [currency.code] : []), 'limit', 'used', 'level', 'action'],
      rules.map(({ rule, spent, level }) => [
        rule.name,
        rule.credits === undefined
          ? rule.window
          : `credits since ${rule.credits.since === undefined ? 'start' : new Date(rule.credits.since).toISOString().slice(0, 10)}`,
        amount(spent, rule.unit),
        ...(currency ? [rule.unit === 'usd' ? inCurrency(spent, currency) : '-'] : []),
        amount(rule.limit, rule.unit),
        `${Math.round((spent / rule.limit) * 100)}%`,
        level,
        rule.action,
      ]),
    )
  );
}
