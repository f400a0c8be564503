import { openState } from '@costctl/otel';
import { parse, type Command } from '../command.js';
import { amount, inCurrency, table } from '../format.js';
import { GATE_TRIPPED_EXIT, gateJson, gateLines } from './gate.js';

/** `costctl status`: the gate and every rule; exit 3 while the gate is tripped, for health checks. */
export const status: Command = async (args, { cwd, env, out, logger }) => {
  const { values } = parse(args, { json: { type: 'boolean', default: false } });
  const state = await openState({ cwd, env, logger });
  try {
    const gate = await state.gate();
    const rules = await state.rules();
    const { currency } = state.config;
    // USD stays the unit of record; the display currency is shown beside it.
    const display = (spent: number, unit: string) => (currency !== undefined && unit === 'usd' ? spent * currency.perUsd : undefined);
    if (values.json) {
      out(
        `${JSON.stringify({
          gate: gateJson(gate),
          ...(currency === undefined ? {} : { currency }),
          rules: rules.map(({ rule, spent, reserved, level }) => ({
            ...rule,
            spent,
            reserved,
            level,
            ...(rule.credits === undefined ? {} : { remaining: rule.limit - spent }),
            ...(display(spent, rule.unit) === undefined ? {} : { spentDisplay: display(spent, rule.unit) }),
          })),
        })}\n`,
      );
    } else {
      out(gateLines(gate));
      out(`store: ${state.config.store}, time zone ${state.config.timezone}\n\n`);
      if (rules.length === 0) out('no budget rules (set COSTCTL_DAILY_LIMIT_USD, or run costctl init)\n');
      else
        out(
          table(
            ['rule', 'window', 'spent', ...(currency ? [currency.code] : []), 'limit', 'used', 'level', 'action'],
            rules.map(({ rule, spent, level }) => [
              rule.name,
              rule.credits === undefined ? rule.window : `credits since ${rule.credits.since === undefined ? 'start' : new Date(rule.credits.since).toISOString().slice(0, 10)}`,
              amount(spent, rule.unit),
              ...(currency ? [rule.unit === 'usd' ? inCurrency(spent, currency) : '-'] : []),
              amount(rule.limit, rule.unit),
              `${Math.round((spent / rule.limit) * 100)}%`,
              level,
              rule.action,
            ]),
          ),
        );
    }
    return gate.tripped ? GATE_TRIPPED_EXIT : 0;
  } finally {
    await state.close();
  }
};
