import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { CostctlStoreError, isCostctlError, loadConfig, openState, type CostctlConfig, type LoadOptions, type Logger } from '@costctl/otel';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { parseWhen } from '../dates.js';
import { usd } from '../format.js';
import { openFleet, spendSource, type SpendSource } from '../fleet.js';
import { checkLedgerDir, ledgerOf } from '../ledger-dir.js';
import { fetchBill } from '../reconcile/admin-api.js';
import { anthropicBilling } from '../reconcile/anthropic-bill.js';
import { BILLING_PROVIDERS, type BillingProvider, type BillingSource, DAY_MS, type DayRange, dayRange } from '../reconcile/bill.js';
import { compare, type Reconciliation } from '../reconcile/compare.js';
import { parseBillCsv } from '../reconcile/csv-bill.js';
import { ALL_MODELS, tallyFleet, wholeDayTallies, wholeDays } from '../reconcile/fleet-tally.js';
import { type LedgerTally, tallyLedger } from '../reconcile/ledger-tally.js';
import { openaiBilling } from '../reconcile/openai-bill.js';
import { type AppliedAdjustment, NOT_PER_MODEL, renderJson, renderText, signed } from '../reconcile/render.js';

/** Exit code when a complete day differs from the bill by more than the tolerance (and nothing was adjusted). */
export const RECONCILE_MISMATCH_EXIT = 4;

const sources: Record<BillingProvider, BillingSource> = { openai: openaiBilling, anthropic: anthropicBilling };

/** The longest period one run compares: a year of daily buckets. */
const MAX_DAYS = 366;

export interface ReconcileOptions {
  provider?: string;
  /** From when; 7 days ago when not given. */
  since?: string;
  until?: string;
  /** A fraction of the bill (0.02) or a percentage (2%); the config's `reconcile.tolerance` when not given. */
  tolerance?: string;
  json?: boolean;
  /** Correct the ledger and budgets to the bill; needs `reason`. */
  adjust?: boolean;
  reason?: string;
  actor?: string;
  /** `fleet` or `ledger`; the fleet when hosts share the store (Redis), else the ledger. */
  source?: string;
  /** A bill exported as CSV, read instead of the provider's admin API. */
  bill?: string;
}

/**
 * `costctl reconcile --provider openai|anthropic`: the ledger against the
 * provider's own usage and cost reports, per UTC day and model; with the
 * Redis store, every host's spend from the store's aggregates, per UTC day
 * (see `tallyFleet`), so a correction never counts other hosts twice. Exits 0
 * when every complete day is within the tolerance, 4 when one is not, 1
 * when the reports cannot be read. With `--adjust --reason R`, appends an
 * adjustment for each difference to the ledger and the budgets (then 0).
 */
export const reconcile: Command<ReconcileOptions> = async (values, context) => {
  if (values.bill !== undefined) return reconcileFile(values.bill, values, context);
  const { cwd, env, out, logger, onWarning } = context;
  const provider = values.provider;
  if (!BILLING_PROVIDERS.includes(provider as BillingProvider)) {
    throw new UsageError(
      `reconcile needs --provider ${BILLING_PROVIDERS.join(' or ')}, or --bill <file>${provider === undefined ? '' : `; got --provider "${provider}"`}`,
    );
  }
  const source = sources[provider as BillingProvider];
  checkAdjust(values);

  const config = loadConfig({ cwd, env, onWarning });
  const from = sourceOf(values, config);
  const tolerance = values.tolerance === undefined ? config.reconcile.tolerance : parseTolerance(values.tolerance);
  const key = env[source.keyVariable]?.trim();
  if (!key) {
    throw new UsageError(
      `reconcile --provider ${source.provider} reads ${source.name}'s usage and cost reports with an admin key: set ${source.keyVariable} (it is read from the environment only, and never printed)`,
    );
  }
  const base = adminUrl(env[source.urlVariable], source);
  const now = Date.now();
  const since = parseWhen(values.since ?? '7d', 'since', now)!.getTime();
  const until = parseWhen(values.until, 'until', now)?.getTime() ?? now;
  if (since >= until) throw new UsageError(`--since must be before --until`);
  const range = dayRange(since, until);
  if (range.end - range.start > MAX_DAYS * DAY_MS) throw new UsageError(`reconcile compares at most ${MAX_DAYS} days at a time; narrow --since/--until`);

  let result: Reconciliation;
  if (from === 'fleet') {
    const tallies = await fleetTallies(source.provider, range, now, { cwd, env, logger, onWarning });
    const bill = await fetchBill(source, base, key, range, { onRetry: (message) => process.stderr.write(`costctl: ${message}\n`) });
    result = compare(source.provider, range, tallies, wholeDays(bill), { tolerance, now, source: 'fleet' });
  } else {
    // Checked before the bill is fetched: a wrong directory would explain every billed call as traffic without costctl.
    checkLedgerDir(config.stateDir);
    const bill = await fetchBill(source, base, key, range, { onRetry: (message) => process.stderr.write(`costctl: ${message}\n`) });
    const tallies = await tallyLedger(ledgerOf(config.stateDir, { since: new Date(range.start), until: new Date(range.end) }), source.provider);
    result = compare(source.provider, range, tallies, bill, { tolerance, now });
  }
  const applied = values.adjust
    ? await adjust(result, { reason: values.reason!, actor: values.actor ?? `${userInfo().username}@${hostname()}`, cwd, env, logger, onWarning })
    : [];

  out(values.json ? renderJson(result, applied) : renderText(result, applied));
  return result.mismatches > 0 && !values.adjust ? RECONCILE_MISMATCH_EXIT : 0;
};

/**
 * `costctl reconcile --bill <file>`: the same comparison against a bill
 * exported as CSV (its provider told by its header row), over the days it
 * covers unless --since/--until narrow them. No admin key is needed.
 */
async function reconcileFile(file: string, values: ReconcileOptions, { cwd, env, out, logger, onWarning }: CommandContext): Promise<number> {
  checkAdjust(values);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--bill ${file}: cannot be read (${(error as Error).message}); give the path of the exported CSV file`);
  }
  const bill = parseBillCsv(text, file, values.provider);
  if (values.provider !== undefined && values.provider !== bill.provider) {
    throw new UsageError(`--provider ${values.provider}, but ${file} bills ${bill.provider} (${bill.format}): drop --provider, or give that provider's bill`);
  }
  const config = loadConfig({ cwd, env, onWarning });
  const from = sourceOf(values, config);
  const tolerance = values.tolerance === undefined ? config.reconcile.tolerance : parseTolerance(values.tolerance);
  const now = Date.now();
  const days = bill.costs.map((cost) => Date.parse(cost.day)).sort((a, b) => a - b);
  if (days.length === 0 && values.since === undefined)
    throw new UsageError(`--bill ${file}: the ${bill.format} holds no charge of ${bill.provider}; nothing to compare`);
  const since = parseWhen(values.since, 'since', now)?.getTime() ?? days[0]!;
  const until = parseWhen(values.until, 'until', now)?.getTime() ?? Math.max(since + 1, (days.at(-1) ?? since) + DAY_MS);
  if (since >= until) throw new UsageError(`--since must be before --until`);
  const range = dayRange(since, until);
  if (range.end - range.start > MAX_DAYS * DAY_MS) throw new UsageError(`reconcile compares at most ${MAX_DAYS} days at a time; narrow --since/--until`);

  const whole = from === 'fleet' || bill.wholeDays;
  const charges = { costs: bill.costs, usage: [] };
  let tallies: Map<string, LedgerTally>;
  if (from === 'fleet') {
    tallies = await fleetTallies(bill.provider, range, now, { cwd, env, logger, onWarning });
  } else {
    checkLedgerDir(config.stateDir);
    const ledger = await tallyLedger(ledgerOf(config.stateDir, { since: new Date(range.start), until: new Date(range.end) }), bill.provider);
    tallies = whole ? wholeDayTallies(ledger) : ledger;
  }
  const result = compare(bill.provider, range, tallies, whole ? wholeDays(charges) : charges, { tolerance, now, source: from });
  const applied = values.adjust
    ? await adjust(result, { reason: values.reason!, actor: values.actor ?? `${userInfo().username}@${hostname()}`, cwd, env, logger, onWarning })
    : [];
  out(values.json ? renderJson(result, applied) : renderText(result, applied));
  return result.mismatches > 0 && !values.adjust ? RECONCILE_MISMATCH_EXIT : 0;
}

/** What every reconcile checks of --adjust before anything is read. */
function checkAdjust(values: ReconcileOptions): void {
  if (values.adjust && !values.reason?.trim()) throw new UsageError('reconcile --adjust needs --reason: it is written with each adjustment in the ledger');
  if (!values.adjust && (values.reason !== undefined || values.actor !== undefined)) throw new UsageError('--reason and --actor go with --adjust');
}

/** Where the bill is compared; with Redis, a correction from one host's ledger would count the other hosts' spend twice. */
function sourceOf(values: ReconcileOptions, config: CostctlConfig): SpendSource {
  const from = spendSource(values.source, config);
  if (from === 'ledger' && values.adjust && config.store === 'redis') {
    throw new UsageError(
      "reconcile --adjust corrects the budgets every host shares in Redis, so it must compare the bill with every host's spend, not this host's ledger: drop --source ledger",
    );
  }
  return from;
}

/** The fleet's spend, read before the bill is fetched: a period it cannot answer for is refused first. */
async function fleetTallies(provider: string, range: DayRange, now: number, options: Parameters<typeof openFleet>[0]): Promise<Map<string, LedgerTally>> {
  const state = await openFleet(options);
  try {
    return await tallyFleet(state, provider, range, now);
  } finally {
    await state.close();
  }
}

/** `0.05` or `5%`: a fraction of the bill from 0 to 1. */
function parseTolerance(text: string): number {
  const percent = text.trim().endsWith('%');
  const value = Number(percent ? text.trim().slice(0, -1) : text);
  const fraction = percent ? value / 100 : value;
  if (text.trim() === '' || !Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
    throw new UsageError(`--tolerance "${text}": expected a fraction of the bill from 0 to 1 such as 0.02, or a percentage such as 2%`);
  }
  return fraction;
}

function adminUrl(text: string | undefined, source: BillingSource): string {
  if (text === undefined || text.trim() === '') return source.defaultUrl;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${source.urlVariable}="${text}": expected an http(s) URL such as ${source.defaultUrl}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`${source.urlVariable}="${text}": expected an http(s) URL such as ${source.defaultUrl}`);
  return text;
}

/**
 * Appends one adjustment per complete day and model whose ledger differs
 * from the bill, each counted in the budgets whose current window holds
 * its day, and says so on stderr: an operator approved it, so every one is
 * visible as it happens.
 */
async function adjust(
  result: Reconciliation,
  who: {
    reason: string;
    actor: string;
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    logger?: Logger | undefined;
    onWarning?: LoadOptions['onWarning'];
  },
): Promise<AppliedAdjustment[]> {
  // Below a millionth of a dollar a difference is float noise, not a bill.
  const rows = result.rows.filter((row) => row.status !== 'partial' && Math.abs(row.differenceUsd) >= 1e-6);
  if (rows.length === 0) return [];
  const state = await openState({ cwd: who.cwd, env: who.env, onWarning: who.onWarning, ...(who.logger ? { logger: who.logger } : {}) });
  const applied: AppliedAdjustment[] = [];
  try {
    for (const row of rows) {
      const { rules } = await state
        .adjust({
          provider: result.provider,
          // A day of the fleet is the provider's whole day: its correction is not per model.
          model: row.model === ALL_MODELS ? null : row.model,
          day: row.day,
          amountUsd: row.differenceUsd,
          reason: who.reason,
          actor: who.actor,
          source: `reconcile:${result.provider}`,
          billedUsd: row.billedUsd,
          localUsd: row.localUsd,
        })
        .catch((error: unknown) => {
          // The ones made before it stand (each said so on stderr): the operator must know where the run stopped.
          if (!isCostctlError(error) || error.code !== 'COSTCTL_STORE_UNAVAILABLE' || applied.length === 0) throw error;
          const made = `${applied.length} of ${rows.length} adjustments of this run were made before it (listed above); run reconcile again once the store works, the rest will still differ`;
          throw new CostctlStoreError(`${error.message}. ${made}`, (error as CostctlStoreError).where, { cause: error });
        });
      applied.push({ day: row.day, model: row.model, amountUsd: row.differenceUsd, rules });
      process.stderr.write(
        `costctl: adjusted ${result.provider} ${row.model ?? NOT_PER_MODEL} on ${row.day} by ${signed(row.differenceUsd)} (billed ${usd(row.billedUsd)}, ${result.source} ${usd(row.localUsd)}) ` +
          `by ${who.actor}: ${JSON.stringify(who.reason)}; budgets: ${rules.join(', ') || 'none covers it now'}\n`,
      );
    }
  } finally {
    await state.close();
  }
  return applied;
}
