import { billedTokensOf, calendarWindow, loadConfig, parseWindow } from '@costctl/otel';
import { UsageError, type Command } from '../command.js';
import { amount, inCurrency, table, usd } from '../format.js';
import { ledgerOf } from '../ledger-dir.js';

const DAY = 86_400_000;

interface Projection {
  rule: string;
  window: string;
  unit: string;
  spent: number;
  limit: number;
  /** The rule's own rate: what the calls in its scope used a day, on average over the last N days, in its unit. */
  perDay: number;
  /** Use expected when the window ends (the limit's own horizon for `total`). */
  projected: number | null;
  /** When the limit will be reached at the rule's rate; null when not within the window. */
  reachedAt: string | null;
}

/** A ledger line as forecasts read it. */
interface LedgerCall {
  time: string;
  kind?: string;
  provider: string;
  model: string | null;
  outcome?: string;
  tokens?: { input: number; output: number };
  /** Steps billed outside `tokens` (a compaction, an advisor's sub-call); absent on older lines. */
  steps?: { tokens?: { input: number; output: number } }[];
  cost_usd: number | null;
  /** What budgets counted for a call the price data could not price. */
  budget_usd?: number | null;
  labels?: Record<string, string>;
}

export interface ForecastOptions {
  /** How many past days the rate is averaged over; 7 when not given. */
  days?: string;
  json?: boolean;
}

/**
 * `costctl forecast`: each rule's own rate — the average a day, over the
 * last N days of the ledger, of what the calls in its scope used in its
 * unit (dollars, tokens or requests) — carried forward: what its window
 * will have used when it ends, and the date its limit will be reached.
 * Windows of a minute or an hour are left out: a daily average says nothing
 * about them.
 */
export const forecast: Command<ForecastOptions> = async (values, { cwd, env, out, onWarning }) => {
  const days = Number(values.days ?? 7);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new UsageError(`--days "${values.days}": expected a whole number of days from 1 to 365`);
  const config = loadConfig({ cwd, env, onWarning });
  const now = Date.now();
  const rules = config.rules.filter((rule) => rule.window !== 'minute' && rule.window !== 'hour');

  // Each rule's window start, to sum its use from the same pass over the ledger.
  const starts = rules.map((rule) => {
    const spec = parseWindow(rule.window);
    if (spec?.kind === 'calendar') return calendarWindow(spec.unit, now, config.timezone);
    if (spec?.kind === 'rolling') return { start: now - spec.durationMs, end: now };
    // A prepaid balance draws only on spend since it was bought.
    return { start: rule.credits?.since ?? -Infinity, end: Infinity };
  });
  const spent = rules.map(() => 0);
  const recent = rules.map(() => 0);
  let recentUsd = 0;
  const since = now - days * DAY;
  for await (const line of ledgerOf(config.stateDir, {})) {
    const entry = line as LedgerCall;
    const at = Date.parse(entry.time);
    if (at >= since) recentUsd += entry.cost_usd ?? 0;
    rules.forEach((rule, i) => {
      if (!inScope(rule.scope, entry)) return;
      const used = usedBy(entry, rule.unit);
      if (at >= starts[i]!.start) spent[i]! += used;
      if (at >= since) recent[i]! += used;
    });
  }

  const projections: Projection[] = rules.map((rule, i) => {
    const window = starts[i]!;
    const used = spent[i]!;
    const perDay = recent[i]! / days;
    const left = rule.limit - used;
    const reachedAt = left <= 0 ? now : perDay > 0 ? now + (left / perDay) * DAY : Infinity;
    const horizon = Number.isFinite(window.end) ? window.end : null;
    return {
      rule: rule.name,
      window: rule.window,
      unit: rule.unit,
      spent: used,
      limit: rule.limit,
      perDay,
      projected: horizon === null ? null : used + (perDay * Math.max(0, horizon - now)) / DAY,
      reachedAt: Number.isFinite(reachedAt) && (horizon === null || reachedAt < horizon) ? new Date(reachedAt).toISOString() : null,
    };
  });

  const perDayUsd = recentUsd / days;
  if (values.json) {
    const display = config.currency === undefined ? {} : { currency: config.currency, perDayDisplay: perDayUsd * config.currency.perUsd };
    out(`${JSON.stringify({ days, perDayUsd, ...display, rules: projections })}\n`);
    return 0;
  }
  const { currency } = config;
  out(`average spend over the last ${days} days: ${usd(perDayUsd)}${currency ? ` (${inCurrency(perDayUsd, currency)})` : ''} a day; each rule is forecast at the rate of its own scope\n\n`);
  if (projections.length === 0) {
    out('no budget rules with a window of a day or more to forecast (set COSTCTL_DAILY_LIMIT_USD or COSTCTL_MONTHLY_LIMIT_USD)\n');
    return 0;
  }
  out(
    table(
      ['rule', 'window', 'spent', 'limit', 'a day', 'at window end', 'limit reached'],
      projections.map((p) => [
        p.rule,
        p.window,
        amount(p.spent, p.unit),
        amount(p.limit, p.unit),
        amount(p.perDay, p.unit),
        p.projected === null ? '-' : amount(p.projected, p.unit),
        p.reachedAt ?? 'not in this window',
      ]),
    ),
  );
  return 0;
};

/** What a ledger line used in a rule's unit, as budgets count it: its dollars (adjustments and fallback estimates included), its tokens (its steps' included), or one request if it left the process. */
function usedBy(entry: LedgerCall, unit: string): number {
  if (unit === 'usd') return entry.cost_usd ?? entry.budget_usd ?? 0;
  if (entry.kind === 'adjustment' || entry.outcome === 'blocked') return 0;
  if (unit === 'tokens') {
    const tokens = billedTokensOf(entry);
    return tokens.input + tokens.output;
  }
  return 1;
}

/** Whether a ledger entry counts toward a rule of this scope (provider, model, labels). */
function inScope(scope: Record<string, string>, entry: LedgerCall): boolean {
  for (const [key, value] of Object.entries(scope)) {
    const actual = key === 'provider' ? entry.provider : key === 'model' ? entry.model : entry.labels?.[key];
    if (actual !== value) return false;
  }
  return true;
}
