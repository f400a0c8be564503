import { describe, expect, it } from 'vitest';
import { BudgetEvaluator } from './evaluator.js';

describe('BudgetEvaluator', () => {
  // Regression: a call settled just before shutdown was never evaluated, so its refusal or level was never announced.
  it('evaluates the calls settled since the last evaluation when it stops', async () => {
    let runs = 0;
    const evaluator = new BudgetEvaluator(async () => void runs++, 60_000);
    evaluator.start();
    await evaluator.evaluate();
    const before = runs;
    evaluator.soon();
    await evaluator.stop();
    expect(runs).toBe(before + 1);
  });

  it('runs nothing more at stop when no call settled since the last evaluation', async () => {
    let runs = 0;
    const evaluator = new BudgetEvaluator(async () => void runs++, 60_000);
    evaluator.start();
    await evaluator.evaluate();
    const before = runs;
    await evaluator.stop();
    expect(runs).toBe(before);
  });

  it('coalesces the calls that settle before their evaluation starts into one', async () => {
    let runs = 0;
    const evaluator = new BudgetEvaluator(async () => void runs++, 60_000);
    evaluator.start();
    await evaluator.evaluate();
    const before = runs;
    for (let i = 0; i < 5; i++) evaluator.soon();
    await evaluator.stop();
    expect(runs).toBe(before + 1);
  });
});
