import type { Meter } from '@opentelemetry/api';
import { levelValue } from '../model/level.js';
import type { BudgetLevels } from '../budget/levels.js';
import type { Currency, StoreKind } from '../config/schema.js';
import type { CostStore } from '../store/types.js';
import type { Gate } from '../gate/gate.js';
import { Attr, Metric } from '../model/otel-names.js';

/** What the budget gauges read. */
export interface BudgetGaugeSources {
  levels: BudgetLevels;
  gate: Gate;
  store: CostStore;
  storeKind: StoreKind;
  /** The display currency, when one is configured. */
  currency: Currency | undefined;
}

/**
 * The `costctl.budget.*`, `costctl.credits.remaining`,
 * `costctl.store.reachable` and `costctl.gate.tripped` gauges. Their callback
 * only reads: the rules as the evaluator last saw them (on its own schedule
 * and after settled calls), so a scrape or an export never moves a level,
 * trips the gate or sends an alert. With a display currency, USD rules'
 * spend is also observed in it.
 */
export function registerBudgetGauges(meter: Meter, { levels, gate, store, storeKind, currency }: BudgetGaugeSources): void {
  const spent = meter.createObservableGauge(Metric.budgetSpent, { description: "Spend in each budget rule's current window, in the rule's unit" });
  const limit = meter.createObservableGauge(Metric.budgetLimit, { description: "Each budget rule's limit, in the rule's unit" });
  const level = meter.createObservableGauge(Metric.budgetLevel, {
    description: 'Each budget rule: 0 ok, 1 warning, 2 critical, 3 exceeded (spend at the limit, or the rule refusing calls that would pass it)',
  });
  const tripped = meter.createObservableGauge(Metric.gateTripped, { description: '1 while the emergency gate is tripped' });
  const reachable = meter.createObservableGauge(Metric.storeReachable, {
    description: '1 while the budget store can be used; 0 while its file is unreadable or Redis cannot answer',
  });
  const credits = meter.createObservableGauge(Metric.creditsRemaining, { description: 'Prepaid balance left with each provider, in USD', unit: '{USD}' });
  const display = meter.createObservableGauge(Metric.budgetSpentDisplay, { description: "USD rules' spend in the configured display currency" });

  meter.addBatchObservableCallback(
    (result) => {
      result.observe(tripped, gate.isTripped() ? 1 : 0);
      result.observe(reachable, store.reachable() ? 1 : 0, { [Attr.store]: storeKind });
      for (const status of levels.statuses) {
        const { name, config } = status.rule;
        const attributes = { [Attr.rule]: name, [Attr.unit]: config.unit };
        result.observe(spent, status.spent, attributes);
        result.observe(limit, config.limit, attributes);
        result.observe(level, levelValue[status.level], { [Attr.rule]: name });
        if (config.credits !== undefined) result.observe(credits, config.limit - status.spent, { [Attr.provider]: config.credits.provider });
        if (currency !== undefined && config.unit === 'usd') {
          result.observe(display, status.spent * currency.perUsd, { [Attr.rule]: name, [Attr.currency]: currency.code });
        }
      }
    },
    [spent, limit, level, tripped, reachable, credits, display],
  );
}
