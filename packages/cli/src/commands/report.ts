import { billedTokensOf, loadConfig, type CostctlConfig, type LedgerEntry } from '@costctl/otel';
import { sourceLine, spendSource, type SpendSource } from '../fleet.js';
import { barChart } from '../chart.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { parseWhen } from '../dates.js';
import { count, csv, inCurrency, table, usd } from '../format.js';
import { checkLedgerDir, ledgerOf } from '../ledger-dir.js';
import { DEFAULT_SPAN, MAX_BARS, periodNamer, periodsBetween, roughBars, type Period } from '../periods.js';
import { fleetBars, fleetReport } from './report-fleet.js';

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
  if (source === 'fleet') {
    if (values.chart !== undefined) return chart(values.chart === true ? 'day' : values.chart, values, config, context, 'fleet');
    return fleetReport(values, config, context);
  }
  // The JSON and CSV a script reads keep their shape: where the numbers come from goes to stderr.
  const note = config.store === 'redis' ? `${sourceLine('ledger', config)}\n` : '';
  if (note !== '' && (values.json || values.csv)) process.stderr.write(`costctl: ${note}`);
  else if (note !== '') out(`${note}\n`);
  if (values.chart !== undefined) return chart(values.chart === true ? 'day' : values.chart, values, config, context, 'ledger');
  const by = values.by ?? 'provider,model';
  const keys = by
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
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
  out(
    table(
      header,
      rows.map((row) => row.map((cell, i) => (i === keys.length + 3 || i === keys.length + 4 ? usd(Number(cell)) : cell))),
    ),
  );
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
async function chart(period: Period, values: ReportOptions, config: CostctlConfig, context: CommandContext, source: SpendSource): Promise<number> {
  const { out, terminal } = context;
  const now = Date.now();
  const since = parseWhen(values.since ?? DEFAULT_SPAN[period], 'since', now)!;
  const until = parseWhen(values.until, 'until', now) ?? new Date(now);
  if (since >= until) throw new UsageError('--since must be before --until');
  if (roughBars(since.getTime(), until.getTime(), period) > MAX_BARS) {
    throw new UsageError(
      `--chart ${period} from ${since.toISOString()} to ${until.toISOString()} would draw more than ${MAX_BARS} bars; narrow --since/--until, or chart by a longer period`,
    );
  }
  const periodOf = periodNamer(period, config.timezone);
  const bars = new Map(periodsBetween(since.getTime(), until.getTime(), period, config.timezone).map((name) => [name, { spend: 0, calls: 0 }]));
  if (source === 'fleet') await fleetBars(period, since.getTime(), until.getTime(), bars, config, context);
  else {
    checkLedgerDir(config.stateDir);
    for await (const entry of ledgerOf(config.stateDir, { since, until })) {
      const bar = bars.get(periodOf(Date.parse(entry.time)));
      if (bar === undefined) continue;
      bar.spend += entry.cost_usd ?? 0;
      if (entry.kind !== 'adjustment') bar.calls += 1;
    }
  }
  const total = [...bars.values()].reduce((sum, bar) => sum + bar.spend, 0);
  const calls = [...bars.values()].reduce((sum, bar) => sum + bar.calls, 0);
  const { currency } = config;
  const span = `${[...bars.keys()][0]} to ${[...bars.keys()].at(-1)}`;
  const where = source === 'fleet' ? "the store's aggregates" : `the ledger (${config.stateDir})`;
  if (calls === 0 && total === 0) {
    out(`no calls in ${where} from ${span} (${config.timezone}); widen --since to chart older spend\n`);
    return 0;
  }
  // The fleet's bars are whole periods: the aggregates keep no finer time.
  if (source === 'fleet') out(`${sourceLine('fleet', config)}; whole ${period}s\n`);
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
