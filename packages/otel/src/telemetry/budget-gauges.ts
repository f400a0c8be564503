import type { Meter } from '@opentelemetry/api';
import { levelValue } from '../budget/alerts.js';
import type { BudgetLevels } from '../budget/levels.js';
import type { Gate } from '../gate/gate.js';
import { Attr, Metric } from './names.js';

/**
 * The `costctl.budget.*` and `costctl.gate.tripped` gauges. Their callback
 * is where rules are evaluated: whichever reader collects (the evaluator on
 * its interval, a Prometheus scrape) sees fresh levels, and alerts fire
 * once per change however many readers there are.
 */
export function registerBudgetGauges(meter: Meter, levels: BudgetLevels, gate: Gate): void {
  const spent = meter.createObservableGauge(Metric.budgetSpent, { description: "Spend in each budget rule's current window, in the rule's unit" });
  const limit = meter.createObservableGauge(Metric.budgetLimit, { description: "Each budget rule's limit, in the rule's unit" });
  const level = meter.createObservableGauge(Metric.budgetLevel, { description: 'Each budget rule: 0 ok, 1 warning, 2 critical, 3 exceeded' });
  const tripped = meter.createObservableGauge(Metric.gateTripped, { description: '1 while the emergency gate is tripped' });

  meter.addBatchObservableCallback(
    async (result) => {
      for (const status of await levels.evaluate()) {
        const { name, config } = status.rule;
        const attributes = { [Attr.rule]: name, [Attr.unit]: config.unit };
        result.observe(spent, status.spent, attributes);
        result.observe(limit, config.limit, attributes);
        result.observe(level, levelValue[status.level], { [Attr.rule]: name });
      }
      result.observe(tripped, gate.isTripped() ? 1 : 0);
    },
    [spent, limit, level, tripped],
  );
}
