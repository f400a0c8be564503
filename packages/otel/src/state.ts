import { randomUUID } from 'node:crypto';
import { ruleStatus } from './budget/levels.js';
import { BudgetRule } from './budget/rules.js';
import { loadConfig, type LoadOptions } from './config/load.js';
import type { CostctlConfig, RuleConfig } from './config/schema.js';
import { Gate } from './gate/gate.js';
import type { Level } from './budget/alerts.js';
import { adjustmentEntry, appendLedgerEntry, type AdjustmentInput } from './ledger/adjustment.js';
import type { LedgerEntry } from './ledger/entry.js';
import { openStore } from './store/open.js';
import type { AuditEntry, GateState } from './store/types.js';

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

/** The shared state of costctl — gate, budgets, audit — as an operator reads and changes it. */
export interface CostctlState {
  readonly config: CostctlConfig;
  gate(): Promise<GateState>;
  trip(change: { reason: string; actor?: string }): Promise<GateState>;
  reset(change: { reason: string; actor?: string }): Promise<GateState>;
  audit(): Promise<AuditEntry[]>;
  /** Every rule's spend and level in its current window; evaluating fires no alert. */
  rules(now?: number): Promise<RuleView[]>;
  /**
   * Corrects spend to a provider's bill, as an operator approved: appends an
   * adjustment entry to the ledger (the audit record: who, why, from where)
   * and adds its amount to every USD rule that covers its provider and model
   * and whose current window contains its day, so budgets follow the bill.
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
 * await state.trip({ reason: 'runaway agent', actor: 'alice' });
 * await state.close();
 */
export async function openState(options: LoadOptions = {}): Promise<CostctlState> {
  const config = loadConfig(options);
  const store = openStore(config);
  const gate = new Gate(store, await store.gate());
  const rules = config.rules.map((rule) => new BudgetRule(rule, config.timezone));
  return {
    config,
    gate: async () => store.gate(),
    trip: (change) => gate.trip(change),
    reset: (change) => gate.reset(change),
    audit: async () => store.audit(),
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
      const file = appendLedgerEntry(config.stateDir, entry, config.timezone);
      const at = Date.parse(entry.time);
      const scope = { provider: adjustment.provider, model: adjustment.model ?? undefined, labels: {} };
      const covered = rules.filter((rule) => rule.config.unit === 'usd' && rule.matches(scope) && countsNow(rule, at, now));
      // An id that names no reservation adds its spend as it is: the store contract for a settled call.
      const spend = covered.map((rule) => {
        const { counter, expiresAt } = rule.windowAt(at);
        return { counter, amount: adjustment.amountUsd, expiresAt };
      });
      try {
        if (spend.length > 0) await store.commit(`adjustment:${randomUUID()}`, spend, now);
      } catch (error) {
        throw new Error(`the adjustment is in the ledger (${file}) but the store could not count it: ${String(error)}; budgets will not follow it`);
      }
      return { entry, file, rules: covered.map((rule) => rule.name) };
    },
    close: async () => {
      gate.close();
      await store.close();
    },
  };
}

/** Whether spend made at `at` counts in the window `rule` is in at `now` (a prepaid balance: only since it was bought). */
function countsNow(rule: BudgetRule, at: number, now: number): boolean {
  const since = rule.config.credits?.since;
  if (since !== undefined && at < since) return false;
  const live = new Set(rule.windowAt(now).window);
  return live.has(rule.windowAt(at).counter);
}
