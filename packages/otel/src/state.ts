import { DAYS_KEPT_MS, HOURS_KEPT_MS, WindowAggregates } from './budget/aggregates.js';
import { ruleStatus } from './budget/levels.js';
import { BudgetRule } from './budget/rules.js';
import { loadConfig, type LoadOptions } from './config/load.js';
import type { CostctlConfig, RuleConfig } from './config/schema.js';
import { gateControl, type GateControl } from './gate/control.js';
import { Gate } from './gate/gate.js';
import type { Level } from './model/level.js';
import { CostctlStoreError, isCostctlError } from './model/errors.js';
import { adjustmentEntry, openLedgerAppend, type AdjustmentInput, type LedgerAppend } from './ledger/adjustment.js';
import type { LedgerEntry } from './ledger/entry.js';
import { setLogger, type Logger } from './model/logger.js';
import { storeFailure } from './store/file-failure.js';
import { openStore } from './store/open.js';
import type { AggregateRead, AggregateSpend, CostStore, CounterSpend } from './store/types.js';

/** One rule as `costctl status` shows it. */
export interface RuleView {
  rule: RuleConfig;
  spent: number;
  reserved: number;
  level: Level;
}

/** What an adjustment changed: the ledger line written and the budget rules whose spend moved. */
export interface AdjustmentResult {
  entry: LedgerEntry;
  /** The ledger file the line was appended to. */
  file: string;
  /** USD rules covering the provider and model whose current window contains the day. */
  rules: string[];
}

/**
 * The shared state of costctl — gate, budgets, audit — as an operator reads
 * and changes it. Every method either does what it says, or rejects with a
 * `CostctlStoreError` (code `COSTCTL_STORE_UNAVAILABLE`) saying what did not
 * happen, why (the Redis URL without credentials, or the directory) and what
 * to do: nothing is claimed that did not happen.
 */
export interface CostctlState {
  readonly config: CostctlConfig;
  /** Every host shares this store (Redis): the fleet's spend is in its window aggregates, while this host's ledger holds only its own calls. */
  readonly shared: boolean;
  /** How long after its window ends the store keeps an hour's and a day's aggregates, in ms. */
  readonly aggregatesKept: { readonly hour: number; readonly day: number };
  /**
   * The store's window aggregates whose key starts with one of `prefixes`
   * (`day:2026-12-07|`, `total|`): what every process sharing the store
   * spent, by window and scope dimension (`*`, `provider=…`, `model=…`,
   * `label:<key>=…`, and `adjusted:…` for corrections to bills). Rejects
   * with a `CostctlStoreError` when the store cannot read them.
   *
   * @example
   * const days = await state.readAggregates(['day:2026-12-07|']);
   */
  readAggregates(prefixes: readonly string[], now?: number): Promise<AggregateRead[]>;
  /** The emergency gate: the same API as `start().gate`. */
  readonly gate: GateControl;
  /** Every rule's spend and level in its current window; evaluating fires no alert. */
  rules(now?: number): Promise<RuleView[]>;
  /**
   * Corrects spend to a provider's bill, as an operator approved: adds its
   * amount to every USD rule that covers its provider and model and whose
   * current window contains its day, so budgets follow the bill, and to the
   * window aggregates of its day (as spend and as `adjusted:…`), so the
   * fleet's spend counts it, then
   * appends an adjustment entry to the ledger (the audit record: who, why,
   * from where). Both happen or neither: a ledger that cannot be written
   * takes the budgets' share back, and only when that too fails does the
   * `CostctlStoreError` say which half stands.
   *
   * @example
   * await state.adjust({ provider: 'openai', model: 'gpt-4o-mini', day: '2026-11-20', amountUsd: 0.42, reason: 'November invoice',
   *   actor: 'alice', source: 'reconcile:openai', billedUsd: 3.42, localUsd: 3 });
   */
  adjust(adjustment: AdjustmentInput, now?: number): Promise<AdjustmentResult>;
  close(): Promise<void>;
}

/**
 * Opens the store the configuration names (the same env and config file as
 * the SDK), for operators and tools: the `costctl` CLI is built on this.
 *
 * @example
 * const state = await openState();
 * await state.gate.trip({ reason: 'runaway agent', actor: 'alice' });
 * await state.close();
 */
export async function openState(options: StateOptions = {}): Promise<CostctlState> {
  const config = loadConfig(options);
  if (options.logger !== undefined) setLogger(options.logger);
  const store = openStore(config);
  const gate = new Gate(store, await store.gate());
  const rules = config.rules.map((rule) => new BudgetRule(rule, config.timezone));
  const windows = new WindowAggregates(config.timezone);
  return {
    config,
    shared: config.store === 'redis',
    aggregatesKept: { hour: HOURS_KEPT_MS, day: DAYS_KEPT_MS },
    readAggregates: async (prefixes, now = Date.now()) => {
      if (store.readAggregates === undefined) throw new CostctlStoreError(`the ${config.store} store cannot read its window aggregates`, config.store);
      return store.readAggregates(prefixes, now);
    },
    gate: gateControl(gate, store, config),
    rules: async (now = Date.now()) => {
      const views: RuleView[] = [];
      for (const rule of rules) {
        const { spent, reserved, level } = await ruleStatus(rule, store, now);
        views.push({ rule: rule.config, spent, reserved, level });
      }
      return views;
    },
    adjust: async (adjustment, now = Date.now()) => {
      const entry = adjustmentEntry(adjustment, now);
      const at = Date.parse(entry.time);
      const scope = { provider: adjustment.provider, model: adjustment.model ?? undefined, labels: {} };
      const covered = rules.filter((rule) => rule.config.unit === 'usd' && rule.matches(scope) && countsNow(rule, at, now));
      const spend: CounterSpend[] = covered.map((rule) => {
        const { counter, expiresAt } = rule.windowAt(at);
        return { counter, amount: adjustment.amountUsd, expiresAt };
      });
      const aggregates = adjustmentAggregates(windows, adjustment, at);
      const subject = `the adjustment of ${adjustment.provider} ${adjustment.model ?? '(not per model)'} on ${adjustment.day} by ${adjustment.amountUsd} USD`;
      const what = `${subject} was NOT made (ledger and budgets unchanged)`;
      // Opened before anything changes: a directory that cannot take the line stops here with nothing done.
      let ledger: LedgerAppend;
      try {
        ledger = openLedgerAppend(config.stateDir, entry, config.timezone);
      } catch (error) {
        throw storeFailure(what, config.stateDir, error);
      }
      try {
        // The store's error says what became of the budgets; the ledger is not written either way.
        await countSpend(store, spend, aggregates, now, `${subject} was NOT made, nothing was written to the ledger`);
        try {
          ledger.append();
        } catch (error) {
          await takeBack(store, spend, aggregates, now, covered, ledger.path, error);
          throw storeFailure(what, config.stateDir, error, ledger.path);
        }
      } finally {
        ledger.close();
      }
      return { entry, file: ledger.path, rules: covered.map((rule) => rule.name) };
    },
    close: async () => {
      gate.close();
      await store.close();
    },
  };
}

/** Where `openState` reads its configuration, and where the store says what went wrong. */
export interface StateOptions extends LoadOptions {
  /** Replaces costctl's logger in this process (JSON lines on stderr by default), e.g. to keep a command's output to its own lines. */
  logger?: Logger;
}

/** The store refused the spend: a coded error as it is, naming what was not done; anything else becomes one. */
async function countSpend(store: CostStore, spend: readonly CounterSpend[], aggregates: readonly AggregateSpend[], now: number, what: string): Promise<void> {
  try {
    await store.adjust(spend, now, aggregates);
  } catch (error) {
    if (isCostctlError(error) && error.code === 'COSTCTL_STORE_UNAVAILABLE') {
      throw new CostctlStoreError(`${what}: ${error.message}`, (error as CostctlStoreError).where, { cause: error });
    }
    throw new CostctlStoreError(`${what}: the store did not count it (${String(error)})`, 'the store', { cause: error });
  }
}

/** The ledger refused the line after the budgets counted it: takes the budgets' share back, or says exactly which half stands. */
async function takeBack(
  store: CostStore,
  spend: readonly CounterSpend[],
  aggregates: readonly AggregateSpend[],
  now: number,
  rules: readonly BudgetRule[],
  file: string,
  cause: unknown,
): Promise<void> {
  try {
    await store.adjust(
      spend.map((s) => ({ ...s, amount: -s.amount })),
      now,
      aggregates.map((aggregate) => ({ ...aggregate, usd: -aggregate.usd })),
    );
  } catch (error) {
    const amount = aggregates[0]!.usd;
    const counted = rules.length === 0 ? "the fleet's spend counts" : `budgets ${rules.map((rule) => rule.name).join(', ')} count`;
    throw new CostctlStoreError(
      `the adjustment is HALF made: ${counted} ${amount} USD that the ledger does not hold ` +
        `(${file}: ${String(cause)}), and taking it back failed (${error instanceof Error ? error.message : String(error)}); ` +
        `do not run it again: once the ledger can be written, append the adjustment by hand, or let the budgets' windows end`,
      file,
      { cause: error },
    );
  }
}

/**
 * What an adjustment adds to the window aggregates: its day and all time,
 * by its provider and model, as spend and again under `adjusted:`, so a
 * fleet-wide report can tell corrections from calls.
 */
function adjustmentAggregates(windows: WindowAggregates, adjustment: AdjustmentInput, at: number): AggregateSpend[] {
  const dimensions = ['*', `provider=${adjustment.provider}`];
  if (adjustment.model !== null && adjustment.model !== undefined) dimensions.push(`model=${adjustment.model}`);
  return [
    {
      // Bills are per day: the hour an adjustment is dated at means nothing.
      windows: windows.windowsAt(at).filter((window) => !window.prefix.startsWith('hour:')),
      dimensions: [...dimensions, ...dimensions.map((dimension) => `adjusted:${dimension}`)],
      usd: adjustment.amountUsd,
      tokens: 0,
      requests: 0,
    },
  ];
}

/** Whether spend made at `at` counts in the window `rule` is in at `now` (a prepaid balance: only since it was bought). */
function countsNow(rule: BudgetRule, at: number, now: number): boolean {
  const since = rule.config.credits?.since;
  if (since !== undefined && at < since) return false;
  const live = new Set(rule.windowAt(now).window);
  return live.has(rule.windowAt(at).counter);
}
