import type { CostctlConfig } from '@costctl/otel';
import { UsageError, type CommandContext } from '../command.js';
import { parseWhen } from '../dates.js';
import { checkKept, fleetDays, fleetWindows, openFleet, readWindows, sourceLine, type DimensionSums } from '../fleet.js';
import { count, csv, inCurrency, table, usd } from '../format.js';
import { periodNamer, type Period } from '../periods.js';
import type { ReportOptions } from './report.js';

/** What the fleet's aggregates keep per day beside the provider, the model and allow-listed labels: nothing per call. */
const PER_CALL = ['operation', 'outcome', 'source'];

interface FleetRow {
  key: string[];
  adjustment: boolean;
  calls: number;
  tokens: number;
  cost: number;
}

/**
 * `costctl report` from the store's window aggregates: every host's spend,
 * by day and one of provider, model or an allow-listed label. What they do
 * not keep (per-call detail, two dimensions crossed, a label not
 * allow-listed, a day past their retention, part of a day) is refused, never
 * approximated.
 */
export async function fleetReport(values: ReportOptions, config: CostctlConfig, { cwd, env, out, logger, onWarning }: CommandContext): Promise<number> {
  const ledger = "add --source ledger for this host's calls in that detail";
  const keys = (values.by ?? 'model')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  const byDay = keys.includes('day');
  const dimensions = keys.filter((key) => key !== 'day');
  for (const key of dimensions) {
    if (PER_CALL.includes(key))
      throw new UsageError(`--by ${key}: the fleet's aggregates keep spend by day, provider, model and labels, not per call; ${ledger}`);
    if (key !== 'provider' && key !== 'model' && !config.labels.includes(key)) {
      const known = config.labels.length === 0 ? 'COSTCTL_LABELS is empty' : `COSTCTL_LABELS is ${config.labels.join(',')}`;
      throw new UsageError(
        `--by ${key}: the fleet's aggregates keep only labels allow-listed in COSTCTL_LABELS, and ${known}; add ${key} there (for the apps too: calls carry it from then on), or group by day, provider, model`,
      );
    }
  }
  if (dimensions.length > 1) {
    throw new UsageError(
      `--by ${keys.join(',')}: the fleet's aggregates keep ${dimensions.join(' and ')} each on its own, not crossed; group by one of them (with day if you like), or ${ledger}`,
    );
  }
  const now = Date.now();
  const since = wholeDay(values.since, 'since', config.timezone, now);
  const until = wholeDay(values.until, 'until', config.timezone, now);
  const state = await openFleet({ cwd, env, logger, onWarning });
  try {
    const allTime = since === undefined && until === undefined && !byDay;
    const days = allTime ? [] : fleetDays(since ?? now - state.aggregatesKept.day, until ?? now, config.timezone);
    if (!allTime && days.length === 0) throw new UsageError('--since must be before --until');
    if (since !== undefined) checkKept(days, state, now, `--since ${values.since}`);
    const windows = allTime ? ['total|'] : days.map((day) => day.prefix);
    const sums = await readWindows(state, windows, now);
    const dimension =
      dimensions[0] === undefined ? undefined : dimensions[0] === 'provider' || dimensions[0] === 'model' ? `${dimensions[0]}=` : `label:${dimensions[0]}=`;
    const groups = new Map<string, FleetRow>();
    sums.forEach((window, i) => {
      for (const row of rowsOf(window, dimension)) {
        const key = keys.map((name) => (name === 'day' ? days[i]!.date : row.value));
        if (row.adjustment) key[key.length - 1] += ' (adjustment)';
        const id = JSON.stringify(key);
        const group = groups.get(id) ?? { key, adjustment: row.adjustment, calls: 0, tokens: 0, cost: 0 };
        group.calls += row.calls;
        group.tokens += row.tokens;
        group.cost += row.cost;
        groups.set(id, group);
      }
    });
    // Days in order, then the most expensive first, as the ledger report sorts.
    const day = keys.indexOf('day');
    const dateOf = (row: FleetRow) => (day === -1 ? '' : row.key[day]!.slice(0, 10));
    const sorted = [...groups.values()].sort((a, b) => (dateOf(a) === dateOf(b) ? b.cost - a.cost : dateOf(a) < dateOf(b) ? -1 : 1));
    const span = allTime ? 'all time' : `days ${days[0]!.date} to ${days.at(-1)!.date} (${config.timezone})`;
    const said = `${sourceLine('fleet', config)}, ${span}`;
    if (values.json || values.csv) {
      process.stderr.write(`costctl: ${said}\n`);
      if (values.json) {
        out(
          `${JSON.stringify(sorted.map((row) => ({ ...Object.fromEntries(keys.map((name, i) => [name, row.key[i]])), calls: row.calls, tokens: row.tokens, cost: row.cost, adjustment: row.adjustment, source: 'fleet' })))}\n`,
        );
      } else {
        out(
          csv(
            [...keys, 'calls', 'tokens', 'cost_usd'],
            sorted.map((row) => [...row.key, row.calls, row.tokens, row.cost]),
          ),
        );
      }
      return 0;
    }
    out(`${said}\n\n`);
    if (sorted.length === 0) {
      out(`no spend in the store's aggregates for that period\n`);
      return 0;
    }
    out(
      table(
        [...keys, 'calls', 'tokens', 'cost_usd'],
        sorted.map((row) => [...row.key, row.calls, row.tokens, usd(row.cost)]),
      ),
    );
    const total = sorted.reduce((sum, row) => sum + row.cost, 0);
    const adjusted = sorted.filter((row) => row.adjustment).reduce((sum, row) => sum + row.cost, 0);
    const including = adjusted === 0 ? '' : `, including ${usd(adjusted)} of adjustments to the providers' bills (costctl reconcile --adjust)`;
    const { currency } = config;
    const displayed = currency === undefined ? '' : ` (${inCurrency(total, currency)} at ${currency.perUsd} ${currency.code} per USD)`;
    const whose = config.store === 'redis' ? 'every host' : 'every process of this host';
    out(`\ntotal ${usd(total)}${displayed} over ${count(sorted.reduce((sum, row) => sum + row.calls, 0))} calls, ${whose}${including}\n`);
    return 0;
  } finally {
    await state.close();
  }
}

/** Below this, a remainder is float noise from summing, not spend. */
const NOISE = 1e-9;

/**
 * One window's rows by `dimension` (`model=`, `label:tenant=`; none: one
 * row of everything): calls, then what bills' adjustments added as their
 * own rows, then what no value of the dimension holds (calls without a
 * model or that label, corrections not per model) as `(none)`, so the
 * rows always add up to the window's total.
 */
function rowsOf(window: DimensionSums, dimension: string | undefined): { value: string; adjustment: boolean; calls: number; tokens: number; cost: number }[] {
  const all = window.get('*');
  if (all === undefined) return [];
  const adjusted = (name: string) => window.get(`adjusted:${name}`)?.usd ?? 0;
  const rows: { value: string; adjustment: boolean; calls: number; tokens: number; cost: number }[] = [];
  const push = (value: string, calls: number, tokens: number, cost: number, adjustment: number) => {
    if (calls !== 0 || Math.abs(cost - adjustment) > NOISE) rows.push({ value, adjustment: false, calls, tokens, cost: cost - adjustment });
    if (Math.abs(adjustment) > NOISE) rows.push({ value, adjustment: true, calls: 0, tokens: 0, cost: adjustment });
  };
  if (dimension === undefined) {
    push('all', all.requests, all.tokens, all.usd, adjusted('*'));
    return rows;
  }
  let calls = 0;
  let tokens = 0;
  let cost = 0;
  let adjustments = 0;
  for (const [name, read] of window) {
    if (!name.startsWith(dimension)) continue;
    const adjustment = adjusted(name);
    push(name.slice(dimension.length), read.requests, read.tokens, read.usd, adjustment);
    calls += read.requests;
    tokens += read.tokens;
    cost += read.usd;
    adjustments += adjustment;
  }
  push('(none)', all.requests - calls, all.tokens - tokens, all.usd - cost, adjusted('*') - adjustments);
  return rows;
}

/**
 * `--since`/`--until` for the fleet: the aggregates keep whole days of the
 * configured zone, so a date is that day's start there, an age such as 7d
 * the start of the day it falls in, and a time must be a midnight there.
 */
function wholeDay(text: string | undefined, option: string, timeZone: string, now: number): number | undefined {
  if (text === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined;
  const at = date === undefined ? parseWhen(text, option, now)!.getTime() : dayNamed(date, option, timeZone);
  const start = fleetDays(at, at + 1, timeZone)[0]!.start;
  if (date !== undefined || /^\d+d$/.test(text) || start === at) return start;
  throw new UsageError(
    `--${option} ${text}: the fleet's aggregates keep spend by whole day (${timeZone}); give a day such as ${fleetDays(at, at + 1, timeZone)[0]!.date} or an age in days such as 7d, or add --source ledger for this host's calls at that precision`,
  );
}

/** An instant in the zone's day named `date` (a date names the zone's day, not UTC's). */
function dayNamed(date: string, option: string, timeZone: string): number {
  const noon = Date.parse(`${date}T12:00:00Z`);
  if (Number.isNaN(noon)) throw new UsageError(`--${option} "${date}": expected a date such as 2026-11-01`);
  // Noon UTC lies in that day, the one before or the one after, depending on the zone's offset.
  for (const at of [noon, noon - 86_400_000, noon + 86_400_000]) {
    const day = fleetDays(at, at + 1, timeZone)[0]!;
    if (day.date === date) return day.start;
  }
  return noon;
}

/**
 * Fills `bars` (named by `periodNamer(period)`) with the fleet's spend and
 * calls from the store's window aggregates: hours from the hour aggregates
 * (kept 48 hours), days and months from the day aggregates. A bar holds
 * its whole period.
 */
export async function fleetBars(
  period: Period,
  since: number,
  until: number,
  bars: Map<string, { spend: number; calls: number }>,
  config: CostctlConfig,
  { cwd, env, logger, onWarning }: CommandContext,
): Promise<void> {
  const unit = period === 'hour' ? 'hour' : 'day';
  const windows = fleetWindows(unit, since, until, config.timezone);
  const now = Date.now();
  const state = await openFleet({ cwd, env, logger, onWarning });
  try {
    if (unit === 'day') checkKept(windows, state, now, `--chart ${period} from ${new Date(since).toISOString()}`);
    else if (windows[0] !== undefined && windows[0].end + state.aggregatesKept.hour <= now) {
      throw new UsageError(
        `--chart hour from ${new Date(since).toISOString()}: the store keeps hours' aggregates for 48 hours; chart the fleet by day, or add --source ledger for this host's older hours`,
      );
    }
    const sums = await readWindows(
      state,
      windows.map((window) => window.prefix),
      now,
    );
    const periodOf = periodNamer(period, config.timezone);
    sums.forEach((window, i) => {
      const all = window.get('*');
      const bar = bars.get(periodOf(windows[i]!.start));
      if (all === undefined || bar === undefined) return;
      bar.spend += all.usd;
      bar.calls += all.requests;
    });
  } finally {
    await state.close();
  }
}
