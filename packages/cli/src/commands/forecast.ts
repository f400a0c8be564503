import { billedTokensOf, calendarWindow, loadConfig, parseWindow, type CostctlConfig } from '@costctl/otel';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { fleetDays, openFleet, readWindows, sourceLine, spendSource } from '../fleet.js';
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
  /** From the fleet's aggregates, a scope of several dimensions has a rate of at most the least of theirs: an upper bound, not the rate. */
  rateAtMost?: boolean;
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
  /** `fleet` or `ledger`; the fleet when hosts share the store (Redis), else the ledger. */
  source?: string;
}

/**
 * `costctl forecast`: each rule's own rate — the average a day, over the
 * last N days of the ledger, of what the calls in its scope used in its
 * unit (dollars, tokens or requests) — carried forward: what its window
 * will have used when it ends, and the date its limit will be reached.
 * Windows of a minute or an hour are left out: a daily average says nothing
 * about them.
 */
export const forecast: Command<ForecastOptions> = async (values, context) => {
  const { cwd, env, out, onWarning } = context;
  const days = Number(values.days ?? 7);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new UsageError(`--days "${values.days}": expected a whole number of days from 1 to 365`);
  const config = loadConfig({ cwd, env, onWarning });
  if (spendSource(values.source, config) === 'fleet') return fleetForecast(days, values, config, context);
  if (config.store === 'redis' && !values.json) out(`${sourceLine('ledger', config)}\n`);
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
      reachedAt: reachedOn(reachedAt, horizon),
    };
  });

  return printForecast(days, recentUsd / days, projections, config, out, values.json === true, `over the last ${days} days`);
};

/** Prints the projections: one JSON object, or the rate and a table. */
function printForecast(
  days: number,
  perDayUsd: number,
  projections: Projection[],
  config: CostctlConfig,
  out: (text: string) => void,
  json: boolean,
  over: string,
  source?: string,
): number {
  if (json) {
    const display = config.currency === undefined ? {} : { currency: config.currency, perDayDisplay: perDayUsd * config.currency.perUsd };
    out(`${JSON.stringify({ days, perDayUsd, ...display, ...(source === undefined ? {} : { source }), rules: projections })}\n`);
    return 0;
  }
  const { currency } = config;
  out(
    `average spend ${over}: ${usd(perDayUsd)}${currency ? ` (${inCurrency(perDayUsd, currency)})` : ''} a day; each rule is forecast at the rate of its own scope\n\n`,
  );
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
        `${p.rateAtMost ? '≤ ' : ''}${amount(p.perDay, p.unit)}`,
        p.projected === null ? '-' : amount(p.projected, p.unit),
        p.reachedAt ?? 'not in this window',
      ]),
    ),
  );
  if (projections.some((p) => p.rateAtMost))
    out(`\n≤: the fleet's aggregates keep each dimension of a scope on its own, so a scope of several has a rate of at most the least of theirs\n`);
  return 0;
}

/**
 * `costctl forecast` for the fleet: each rule's spend as the shared store
 * counts it, and its rate from the store's day aggregates over the last N
 * complete days of the configured zone, every host included.
 */
async function fleetForecast(
  days: number,
  values: ForecastOptions,
  config: CostctlConfig,
  { cwd, env, out, logger, onWarning }: CommandContext,
): Promise<number> {
  const now = Date.now();
  const today = fleetDays(now, now + 1, config.timezone)[0]!;
  // The N complete days before today: a day still under way would pull the average down.
  const span = fleetDays(today.start - days * DAY - DAY / 2, today.start, config.timezone).slice(-days);
  const state = await openFleet({ cwd, env, logger, onWarning });
  try {
    const [views, windows] = await Promise.all([
      state.rules(now),
      readWindows(
        state,
        span.map((day) => day.prefix),
        now,
      ),
    ]);
    const sum = (dimension: string, unit: string) => windows.reduce((total, window) => total + unitOf(window.get(dimension), unit), 0);
    const projections: Projection[] = [];
    for (const view of views) {
      const rule = view.rule;
      if (rule.window === 'minute' || rule.window === 'hour') continue;
      const spec = parseWindow(rule.window);
      const end = spec?.kind === 'calendar' ? calendarWindow(spec.unit, now, config.timezone).end : spec?.kind === 'rolling' ? now : Infinity;
      const scope = Object.entries(rule.scope);
      const dimensions =
        scope.length === 0 ? ['*'] : scope.map(([key, value]) => (key === 'provider' || key === 'model' ? `${key}=${value}` : `label:${key}=${value}`));
      const perDay = Math.min(...dimensions.map((dimension) => sum(dimension, rule.unit))) / days;
      const left = rule.limit - view.spent;
      const reachedAt = left <= 0 ? now : perDay > 0 ? now + (left / perDay) * DAY : Infinity;
      const horizon = Number.isFinite(end) ? end : null;
      projections.push({
        rule: rule.name,
        window: rule.window,
        unit: rule.unit,
        spent: view.spent,
        limit: rule.limit,
        perDay,
        projected: horizon === null ? null : view.spent + (perDay * Math.max(0, horizon - now)) / DAY,
        reachedAt: reachedOn(reachedAt, horizon),
        ...(dimensions.length > 1 ? { rateAtMost: true } : {}),
      });
    }
    if (!values.json) out(`${sourceLine('fleet', config)}\n`);
    const over = `over the last ${days} complete days (${span[0]!.date} to ${span.at(-1)!.date}, ${config.timezone})`;
    return printForecast(days, sum('*', 'usd') / days, projections, config, out, values.json === true, over, 'fleet');
  } finally {
    await state.close();
  }
}

/** The latest instant a Date can hold: a limit further off than that is never reached, as far as anyone can tell. */
const LAST_DATE = 8.64e15;

/** When a limit is reached, as an ISO time; null when not before the window's end (or ever). */
function reachedOn(at: number, horizon: number | null): string | null {
  return at <= LAST_DATE && (horizon === null || at < horizon) ? new Date(at).toISOString() : null;
}

/** An aggregate's amount in a rule's unit. */
function unitOf(read: { usd: number; tokens: number; requests: number } | undefined, unit: string): number {
  if (read === undefined) return 0;
  return unit === 'tokens' ? read.tokens : unit === 'requests' ? read.requests : read.usd;
}

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
