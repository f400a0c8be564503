import { loadConfig, type LedgerEntry } from '@costctl/otel';
import { parse, UsageError, type Command } from '../command.js';
import { parseWhen } from '../dates.js';
import { csv, inCurrency, table, usd } from '../format.js';
import { checkLedgerDir, ledgerOf } from '../ledger-dir.js';

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

/** `costctl report`: spend from the ledger, grouped as asked. */
export const report: Command = async (args, { cwd, env, out }) => {
  const { values } = parse(args, {
    since: { type: 'string' },
    until: { type: 'string' },
    by: { type: 'string', default: 'provider,model' },
    json: { type: 'boolean', default: false },
    csv: { type: 'boolean', default: false },
  });
  const config = loadConfig({ cwd, env });
  const keys = values.by.split(',').map((key) => key.trim()).filter(Boolean);
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
    row.input += entry.tokens.input;
    row.output += entry.tokens.output;
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
  out(`\ntotal ${usd(total)}${displayed} over ${sorted.reduce((sum, { row }) => sum + row.calls, 0)} calls${including}\n`);
  return 0;
};
