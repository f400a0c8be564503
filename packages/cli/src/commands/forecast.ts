import { calendarWindow, loadConfig, parseWindow, readLedger } from '@costctl/otel';
import { parse, UsageError, type Command } from '../command.js';
import { inCurrency, table, usd } from '../format.js';

const DAY = 86_400_000;

interface Projection {
  rule: string;
  window: string;
  spent: number;
  limit: number;
  /** Spend expected when the window ends (the limit's own horizon for `total`). */
  projected: number | null;
  /** When the limit will be reached at the current rate; null when not within the window. */
  reachedAt: string | null;
}

/**
 * `costctl forecast`: the average daily spend of the last N days, from the
 * ledger, carried forward: what each USD rule's window will have spent when
 * it ends, and the date its limit will be reached.
 */
export const forecast: Command = async (args, { cwd, env, out }) => {
  const { values } = parse(args, { days: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } });
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new UsageError(`--days "${values.days}": expected a whole number of days from 1 to 365`);
  const config = loadConfig({ cwd, env });
  const now = Date.now();
  const rules = config.rules.filter((rule) => rule.unit === 'usd' && rule.window !== 'minute' && rule.window !== 'hour');

  // Each rule's window start, to sum its spend from the same pass over the ledger.
  const starts = rules.map((rule) => {
    const spec = parseWindow(rule.window);
    if (spec?.kind === 'calendar') return calendarWindow(spec.unit, now, config.timezone);
    if (spec?.kind === 'rolling') return { start: now - spec.durationMs, end: now };
    // A prepaid balance draws only on spend since it was bought.
    return { start: rule.credits?.since ?? -Infinity, end: Infinity };
  });
  const spent = rules.map(() => 0);
  let recent = 0;
  for await (const entry of readLedger(config.stateDir)) {
    const at = Date.parse(entry.time);
    const cost = entry.cost_usd ?? 0;
    if (at >= now - days * DAY) recent += cost;
    starts.forEach((window, i) => {
      if (at >= window.start && inScope(rules[i]!.scope, entry)) spent[i]! += cost;
    });
  }
  const perDay = recent / days;

  const projections: Projection[] = rules.map((rule, i) => {
    const window = starts[i]!;
    const used = spent[i]!;
    const left = rule.limit - used;
    const reachedAt = left <= 0 ? now : perDay > 0 ? now + (left / perDay) * DAY : Infinity;
    const horizon = Number.isFinite(window.end) ? window.end : null;
    return {
      rule: rule.name,
      window: rule.window,
      spent: used,
      limit: rule.limit,
      projected: horizon === null ? null : used + (perDay * Math.max(0, horizon - now)) / DAY,
      reachedAt: Number.isFinite(reachedAt) && (horizon === null || reachedAt < horizon) ? new Date(reachedAt).toISOString() : null,
    };
  });

  if (values.json) {
    const display = config.currency === undefined ? {} : { currency: config.currency, perDayDisplay: perDay * config.currency.perUsd };
    out(`${JSON.stringify({ days, perDayUsd: perDay, ...display, rules: projections })}\n`);
    return 0;
  }
  const { currency } = config;
  out(`average spend over the last ${days} days: ${usd(perDay)}${currency ? ` (${inCurrency(perDay, currency)})` : ''} a day\n\n`);
  if (projections.length === 0) {
    out('no USD budget rules to forecast (set COSTCTL_DAILY_LIMIT_USD or COSTCTL_MONTHLY_LIMIT_USD)\n');
    return 0;
  }
  out(
    table(
      ['rule', 'window', 'spent', 'limit', 'at window end', 'limit reached'],
      projections.map((p) => [p.rule, p.window, usd(p.spent), usd(p.limit), p.projected === null ? '-' : usd(p.projected), p.reachedAt ?? 'not in this window']),
    ),
  );
  return 0;
};

/** Whether a ledger entry counts toward a rule of this scope (provider, model, labels). */
function inScope(scope: Record<string, string>, entry: { provider: string; model: string | null; labels: Record<string, string> }): boolean {
  for (const [key, value] of Object.entries(scope)) {
    const actual = key === 'provider' ? entry.provider : key === 'model' ? entry.model : entry.labels[key];
    if (actual !== value) return false;
  }
  return true;
}
