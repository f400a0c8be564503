import { ruleStatus } from './budget/levels.js';
import { BudgetRule } from './budget/rules.js';
import { loadConfig, type LoadOptions } from './config/load.js';
import type { CostctlConfig, RuleConfig } from './config/schema.js';
import { Gate } from './gate/gate.js';
import type { Level } from './budget/alerts.js';
import { openStore } from './store/open.js';
import type { AuditEntry, GateState } from './store/types.js';

/** One rule as `costctl status` shows it. */
export interface RuleView {
  rule: RuleConfig;
  spent: number;
  reserved: number;
  level: Level;
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
    close: async () => {
      gate.close();
      await store.close();
    },
  };
}
