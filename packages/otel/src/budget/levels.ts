import type { Gate } from '../gate/gate.js';
import type { CostStore, WindowSpend } from '../store/types.js';
import { type AlertDispatcher, type Level } from './alerts.js';
import type { BudgetRule } from './rules.js';

/** A rule as the evaluator last saw it. */
export interface RuleStatus {
  rule: BudgetRule;
  spent: number;
  reserved: number;
  level: Level;
}

/**
 * Moves each rule between ok, warning, critical and exceeded from the
 * store's committed spend, fires one alert per change, and trips the gate
 * when a `trip` rule is exceeded. Evaluating twice with no change fires
 * nothing, so any number of readers may drive it.
 */
export class BudgetLevels {
  readonly #rules: readonly BudgetRule[];
  readonly #store: CostStore;
  readonly #gate: Gate;
  readonly #alerts: AlertDispatcher;
  readonly #levels = new Map<string, Level>();
  #last: RuleStatus[] = [];

  constructor(rules: readonly BudgetRule[], store: CostStore, gate: Gate, alerts: AlertDispatcher) {
    this.#rules = rules;
    this.#store = store;
    this.#gate = gate;
    this.#alerts = alerts;
  }

  /** The statuses of the last evaluation. */
  get statuses(): readonly RuleStatus[] {
    return this.#last;
  }

  async evaluate(now = Date.now()): Promise<readonly RuleStatus[]> {
    const statuses: RuleStatus[] = [];
    for (const rule of this.#rules) {
      const status = await ruleStatus(rule, this.#store, now);
      statuses.push(status);
      const { level } = status;
      const spend = status;
      const previous = this.#levels.get(rule.name) ?? 'ok';
      if (level === previous) continue;
      this.#levels.set(rule.name, level);
      const { config } = rule;
      this.#alerts.fire({
        rule: rule.name,
        level,
        previous,
        spent: spend.spent,
        limit: config.limit,
        unit: config.unit,
        window: config.window,
        action: config.action,
        time: new Date(now).toISOString(),
      });
      if (level === 'exceeded' && config.action === 'trip' && !this.#gate.isTripped()) {
        await this.#gate.trip({ reason: `rule ${rule.name} exceeded its limit of ${config.limit} ${config.unit}`, actor: `rule:${rule.name}` });
      }
    }
    this.#last = statuses;
    return statuses;
  }
}

/** A rule's spend and level now, read from the store; no alert, no side effect. */
export async function ruleStatus(rule: BudgetRule, store: CostStore, now: number): Promise<RuleStatus> {
  const spend: WindowSpend = await store.read(rule.windowNow(now).window, now);
  return { rule, spent: spend.spent, reserved: spend.reserved, level: levelOf(spend.spent, rule) };
}

function levelOf(spent: number, rule: BudgetRule): Level {
  const { limit, warnAt, criticalAt } = rule.config;
  if (spent >= limit) return 'exceeded';
  if (spent >= limit * criticalAt) return 'critical';
  if (spent >= limit * warnAt) return 'warning';
  return 'ok';
}
