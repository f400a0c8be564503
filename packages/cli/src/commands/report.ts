import { billedTokensOf, loadConfig, type CostctlConfig, type LedgerEntry } from '@costctl/otel';
import { checkKept, fleetDays, openFleet, readWindows, sourceLine, spendSource, type DimensionSums } from '../fleet.js';
import { barChart } from '../chart.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { parseWhen } from '../dates.js';
import { count, csv, inCurrency, table, usd } from '../format.js';
import { checkLedgerDir, ledgerOf } from '../ledger-dir.js';
import { DEFAULT_SPAN, MAX_BARS, periodNamer, periodsBetween, roughBars, type Period } from '../periods.js';

const fields: Record<string, (entry: LedgerEntry) => string> = {
  provider: (entry) => entry.provider,
  model: (entry) => entry.model ?? (entry.kind === 'adjustment' ? 'not per model' : 'unknown'),
  operation: (entry) => entry.operation,
  outcome: (entry) => entry.outcome,
  source: (entry) => entry.cost_source ?? entry.unpriced_reason ?? 'none',
  day: (entry) => entry.time.slice(0, 10),
};

interface Row {
  calls: number;
  input: number;
  output: number;
  cost: number;
  estimated: number;
  unpriced: number;
  blocked: number;
}

/** Why `--by key` cannot group: a label must be allow-listed (COSTCTL_LABELS) before calls carry it into the ledger. */
function unknownKey(key: string, labels: readonly string[]): string {
  const allowed = [...Object.keys(fields), ...labels].join(', ');
  if (!/^[A-Za-z_][\w.-]*$/.test(key)) return `--by ${key}: expected ${allowed}`;
  const list = labels.length === 0 ? key : [...labels, key].join(',');
  return (
    `--by ${key}: "${key}" is not a label costctl keeps; set COSTCTL_LABELS=${list} (for this command and for the instrumented apps, ` +
    `whose calls then carry it into the ledger from then on), or group by ${allowed}`
  );
}

export interface ReportOptions {
  since?: string;
  until?: string;
  /** Comma-separated keys to group by; `provider,model` when not given. */
  by?: string;
  json?: boolean;
  csv?: boolean;
  /** Draw spend over time instead of the table: `true` for by day, or the period. */
  chart?: Period | true;
  /** `fleet` or `ledger`; the fleet when hosts share the store (Redis), else the ledger. */
  source?: string;
}

/** `costctl report`: spend from the ledger, grouped as asked, or drawn over time; with the Redis store, the fleet's (see `fleetReport`). */
export const report: Command<ReportOptions> = async (values, context) => {
  const { cwd, env, out, onWarning } = context;
  const config = loadConfig({ cwd, env, onWarning });
  const source = spendSource(values.source, config);
  if (source === 'fleet') return fleetReport(values, config, context);
  // The JSON and CSV a script reads keep their shape: where the numbers come from goes to stderr.
  const note = config.store === 'redis' ? `${sourceLine('ledger', config)}\n` : '';
  if (note !== '' && (values.json || values.csv)) process.stderr.write(`costctl: ${note}`);
  else if (note !== '') out(`${note}\n`);
  if (values.chart !== undefined) return chart(values.chart === true ? 'day' : values.chart, values, config, context);
  const by = values.by ?? 'provider,model';
  const keys = by.split(',').map((key) => key.trim()).filter(Boolean);
  const getters = keys.map((key) => {
    const field = fields[key] ?? (config.labels.includes(key) ? (entry: LedgerEntry) => entry.labels[key] ?? '' : undefined);
    if (field === undefined) throw new UsageError(unknownKey(key, config.labels));
    return field;
  });

  const groups = new Map<string, { key: string[]; adjustment: boolean; row: Row }>();
  const query = { since: parseWhen(values.since, 'since'), until: parseWhen(values.until, 'until') };
  checkLedgerDir(config.stateDir);
  for await (const entry of ledgerOf(config.stateDir, query)) {
    const key = getters.map((get) => get(entry));
    // Corrections to the bill are spend, but not calls: their own rows, labelled.
    const adjustment = entry.kind === 'adjustment';
    if (adjustment && key.length > 0 && key.at(-1) !== 'adjustment') key[key.length - 1] += ' (adjustment)';
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? { key, adjustment, row: { calls: 0, input: 0, output: 0, cost: 0, estimated: 0, unpriced: 0, blocked: 0 } };
    const { row } = group;
    row.calls += adjustment ? 0 : 1;
    // A call's steps (a compaction, an advisor's sub-call) are billed tokens of the call, priced in its cost.
    const tokens = billedTokensOf(entry);
    row.input += tokens.input;
    row.output += tokens.output;
    row.cost += entry.cost_usd ?? 0;
    if (entry.cost_source === 'estimated') row.estimated += entry.cost_usd ?? 0;
    if (entry.unpriced_reason !== null) row.unpriced += 1;
    if (entry.outcome === 'blocked') row.blocked += 1;
    groups.set(id, group);
  }
  const sorted = [...groups.values()].sort((a, b) => b.row.cost - a.row.cost);

  const { currency } = config;
  if (values.json) {
    // USD is the unit of record; with a display currency each row also carries its cost in it.
    const display = (row: Row) => (currency === undefined ? {} : { cost_display: row.cost * currency.perUsd, currency: currency.code });
    out(`${JSON.stringify(sorted.map(({ key, row }) => ({ ...Object.fromEntries(keys.map((name, i) => [name, key[i]])), ...row, ...display(row) })))}\n`);
    return 0;
  }
  const header = [...keys, 'calls', 'input', 'output', 'cost_usd', 'estimated_usd', 'unpriced', 'blocked'];
  const rows = sorted.map(({ key, row }) => [...key, row.calls, row.input, row.output, row.cost, row.estimated, row.unpriced, row.blocked]);
  if (values.csv) {
    out(csv(header, rows));
    return 0;
  }
  if (rows.length === 0) {
    out(`no calls in the ledger (${config.stateDir}) for that period\n`);
    return 0;
  }
  const total = sorted.reduce((sum, { row }) => sum + row.cost, 0);
  const adjusted = sorted.filter((group) => group.adjustment).reduce((sum, { row }) => sum + row.cost, 0);
  out(table(header, rows.map((row) => row.map((cell, i) => (i === keys.length + 3 || i === keys.length + 4 ? usd(Number(cell)) : cell)))));
  const including = adjusted === 0 ? '' : `, including ${usd(adjusted)} of adjustments to the providers' bills (costctl reconcile --adjust)`;
  const displayed = currency === undefined ? '' : ` (${inCurrency(total, currency)} at ${currency.perUsd} ${currency.code} per USD)`;
  out(`\ntotal ${usd(total)}${displayed} over ${count(sorted.reduce((sum, { row }) => sum + row.calls, 0))} calls${including}\n`);
  return 0;
};

/**
 * `costctl report --chart [period]`: spend per hour, day or month as bars,
 * quiet periods included, in the configured time zone (the one budgets'
 * calendar windows use). Without --since it reaches back a screenful.
 */
async function chart(period: Period, values: ReportOptions, config: CostctlConfig, { out, terminal }: CommandContext): Promise<number> {
  const now = Date.now();
  const since = parseWhen(values.since ?? DEFAULT_SPAN[period], 'since', now)!;
  const until = parseWhen(values.until, 'until', now) ?? new Date(now);
  if (since >= until) throw new UsageError('--since must be before --until');
  if (roughBars(since.getTime(), until.getTime(), period) > MAX_BARS) {
    throw new UsageError(`--chart ${period} from ${since.toISOString()} to ${until.toISOString()} would draw more than ${MAX_BARS} bars; narrow --since/--until, or chart by a longer period`);
  }
  const periodOf = periodNamer(period, config.timezone);
  const bars = new Map(periodsBetween(since.getTime(), until.getTime(), period, config.timezone).map((name) => [name, { spend: 0, calls: 0 }]));
  checkLedgerDir(config.stateDir);
  for await (const entry of ledgerOf(config.stateDir, { since, until })) {
    const bar = bars.get(periodOf(Date.parse(entry.time)));
    if (bar === undefined) continue;
    bar.spend += entry.cost_usd ?? 0;
    if (entry.kind !== 'adjustment') bar.calls += 1;
  }
  const total = [...bars.values()].reduce((sum, bar) => sum + bar.spend, 0);
  const calls = [...bars.values()].reduce((sum, bar) => sum + bar.calls, 0);
  const { currency } = config;
  const span = `${[...bars.keys()][0]} to ${[...bars.keys()].at(-1)}`;
  if (calls === 0 && total === 0) {
    out(`no calls in the ledger (${config.stateDir}) from ${span} (${config.timezone}); widen --since to chart older spend\n`);
    return 0;
  }
  out(`spend per ${period} (${config.timezone}), ${span}\n\n`);
  out(
    barChart(
      [...bars].map(([label, bar]) => ({ label, value: bar.spend, note: `${count(bar.calls)} call${bar.calls === 1 ? '' : 's'}` })),
      { width: terminal?.columns ?? 80, format: usd },
    ),
  );
  const displayed = currency === undefined ? '' : ` (${inCurrency(total, currency)} at ${currency.perUsd} ${currency.code} per USD)`;
  out(`\ntotal ${usd(total)}${displayed} over ${count(calls)} calls\n`);
  return 0;
}

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
async function fleetReport(values: ReportOptions, config: CostctlConfig, { cwd, env, out, logger, onWarning }: CommandContext): Promise<number> {
  const ledger = 'add --source ledger for this host\'s calls in that detail';
  if (values.chart !== undefined) {
    throw new UsageError(`--chart draws calls over time from the ledger, and the fleet's aggregates keep spend by day only: ${ledger}, or use --by day for the fleet`);
  }
  const keys = (values.by ?? 'model').split(',').map((key) => key.trim()).filter(Boolean);
  const byDay = keys.includes('day');
  const dimensions = keys.filter((key) => key !== 'day');
  for (const key of dimensions) {
    if (PER_CALL.includes(key)) throw new UsageError(`--by ${key}: the fleet's aggregates keep spend by day, provider, model and labels, not per call; ${ledger}`);
    if (key !== 'provider' && key !== 'model' && !config.labels.includes(key)) {
      const known = config.labels.length === 0 ? 'COSTCTL_LABELS is empty' : `COSTCTL_LABELS is ${config.labels.join(',')}`;
      throw new UsageError(
        `--by ${key}: the fleet's aggregates keep only labels allow-listed in COSTCTL_LABELS, and ${known}; add ${key} there (for the apps too: calls carry it from then on), or group by day, provider, model`,
      );
    }
  }
  if (dimensions.length > 1) {
    throw new UsageError(`--by ${keys.join(',')}: the fleet's aggregates keep ${dimensions.join(' and ')} each on its own, not crossed; group by one of them (with day if you like), or ${ledger}`);
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
    const dimension = dimensions[0] === undefined ? undefined : dimensions[0] === 'provider' || dimensions[0] === 'model' ? `${dimensions[0]}=` : `label:${dimensions[0]}=`;
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
        out(`${JSON.stringify(sorted.map((row) => ({ ...Object.fromEntries(keys.map((name, i) => [name, row.key[i]])), calls: row.calls, tokens: row.tokens, cost: row.cost, adjustment: row.adjustment, source: 'fleet' })))}\n`);
      } else {
        out(csv([...keys, 'calls', 'tokens', 'cost_usd'], sorted.map((row) => [...row.key, row.calls, row.tokens, row.cost])));
      }
      return 0;
    }
    out(`${said}\n\n`);
    if (sorted.length === 0) {
      out(`no spend in the store's aggregates for that period\n`);
      return 0;
    }
    out(table([...keys, 'calls', 'tokens', 'cost_usd'], sorted.map((row) => [...row.key, row.calls, row.tokens, usd(row.cost)])));
    const total = sorted.reduce((sum, row) => sum + row.cost, 0);
    const adjusted = sorted.filter((row) => row.adjustment).reduce((sum, row) => sum + row.cost, 0);
    const including = adjusted === 0 ? '' : `, including ${usd(adjusted)} of adjustments to the providers' bills (costctl reconcile --adjust)`;
    const { currency } = config;
    const displayed = currency === undefined ? '' : ` (${inCurrency(total, currency)} at ${currency.perUsd} ${currency.code} per USD)`;
    const whose = config.store === 'redis' ? 'every host' : 'every process of this host';
    out(`\ntotal ${usd(total)}${displayed} over ${count(sorted.reduce((sum, row) => sum + row.calls, 0))} calls, ${whose}\n`);
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
