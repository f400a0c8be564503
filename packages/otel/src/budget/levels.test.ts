import { describe, expect, it } from 'vitest';
import type { RuleConfig } from '../config/schema.js';
import { Gate } from '../gate/gate.js';
import { MemoryStore } from '../store/memory.js';
import { AlertDispatcher, type CostctlAlert } from './alerts.js';
import { BudgetLevels, ruleStatus } from './levels.js';
import { BudgetRule } from './rules.js';

const now = Date.UTC(2026, 10, 23, 12);
const config: RuleConfig = { name: 'daily', limit: 10, unit: 'usd', window: 'day', scope: {}, warnAt: 0.7, criticalAt: 0.9, action: 'block' };

/** One process's evaluator on a shared store, and the alerts it fired. */
function processOn(store: MemoryStore, rule = new BudgetRule(config, 'UTC')) {
  const alerts: CostctlAlert[] = [];
  const levels = new BudgetLevels([rule], store, new Gate(store, store.gate()), new AlertDispatcher({ onAlert: (alert) => alerts.push(alert) }));
  return { levels, alerts, rule };
}

function spend(store: MemoryStore, rule: BudgetRule, amount: number): void {
  const entry = rule.entry(amount, now);
  store.commit('none', [{ counter: entry.counter, amount, expiresAt: entry.expiresAt }], now);
}

const levelsOf = (alerts: CostctlAlert[]) => alerts.map((alert) => (alert.kind === 'budget' ? `${alert.previous}→${alert.level}` : alert.change));

describe('BudgetLevels', () => {
  // Regression: each process kept its own last level, so every process of a fleet sent each alert, and a new one re-sent them all.
  it('announces each change once for every process sharing the store, and a process started later re-sends nothing', async () => {
    const store = new MemoryStore();
    const [a, b, c] = [processOn(store), processOn(store), processOn(store)];
    spend(store, a.rule, 7.5);
    await Promise.all([a, b, c].map((p) => p.levels.evaluate(now)));
    spend(store, a.rule, 3);
    await Promise.all([c, b, a].map((p) => p.levels.evaluate(now)));
    const all = [...a.alerts, ...b.alerts, ...c.alerts];
    expect(levelsOf(all).sort()).toEqual(['ok→warning', 'warning→exceeded']);
    expect(all).toHaveLength(2);
    for (const p of [a, b, c]) expect(p.levels.statuses.map((s) => s.level)).toEqual(['exceeded']);

    const later = processOn(store);
    await later.levels.evaluate(now);
    expect(later.alerts).toEqual([]);
    expect(later.levels.statuses.map((s) => s.level)).toEqual(['exceeded']);
  });

  // Regression: a process that read the spend before another committed and announced 'exceeded' moved the level back to 'warning'.
  it('never moves a level back on spend it read before another process announced from later spend', async () => {
    const store = new MemoryStore();
    const [a, b] = [processOn(store), processOn(store)];
    spend(store, a.rule, 7.5);
    await a.levels.evaluate(now);
    // A's first read of the spend answers what the store held then, after B has committed more and announced from it.
    const read = store.read.bind(store);
    let interleaved = false;
    store.read = ((window: readonly string[], at: number) => {
      const before = read(window, at);
      if (interleaved) return before;
      interleaved = true;
      spend(store, b.rule, 3);
      return b.levels.evaluate(now).then(() => before);
    }) as typeof store.read;
    await a.levels.evaluate(now);
    expect(levelsOf([...a.alerts, ...b.alerts])).toEqual(['ok→warning', 'warning→exceeded']);
    // The fleet's level stays where B moved it: A's next look agrees, and announces nothing.
    await a.levels.evaluate(now);
    expect(a.levels.statuses.map((s) => s.level)).toEqual(['exceeded']);
    expect(a.alerts).toHaveLength(1);
  });

  it('holds a rule that refused a call at exceeded until its window frees room for that call, in every process', async () => {
    const store = new MemoryStore();
    const [a, b] = [processOn(store), processOn(store)];
    spend(store, a.rule, 7.5);
    // A call in flight holds 1.5; the next call needs 2: 7.5 + 1.5 + 2 > 10, refused.
    const held = store.reserve([a.rule.entry(1.5, now)], 60_000, now);
    if (!held.ok) throw new Error('expected a reservation');
    await a.levels.evaluate(now);
    a.levels.refused(a.rule, 2, now);
    await a.levels.evaluate(now);
    await b.levels.evaluate(now);
    expect(levelsOf(a.alerts)).toEqual(['ok→warning', 'warning→exceeded']);
    expect(a.alerts[1]).toMatchObject({ refusing: true, spent: 7.5 });
    // The other process did not see the refusal, and shows it; so does `costctl status`.
    expect(b.levels.statuses[0]).toMatchObject({ level: 'exceeded', refusing: true });
    expect(await ruleStatus(a.rule, store, now)).toMatchObject({ level: 'exceeded', refusing: true });
    await a.levels.evaluate(now);
    expect(a.alerts).toHaveLength(2);

    // The call in flight settles cheaper: 8 + 2 fits again.
    store.commit(held.id, [{ counter: a.rule.entry(0, now).counter, amount: 0.5, expiresAt: a.rule.entry(0, now).expiresAt }], now);
    await b.levels.evaluate(now);
    await a.levels.evaluate(now);
    expect(levelsOf([...a.alerts, ...b.alerts])).toEqual(['ok→warning', 'warning→exceeded', 'exceeded→warning']);
    expect(a.levels.statuses[0]).toMatchObject({ level: 'warning', refusing: false });
  });

  it('starts a new window from its own spend: a refusal of yesterday is over', async () => {
    const store = new MemoryStore();
    const a = processOn(store);
    spend(store, a.rule, 8);
    a.levels.refused(a.rule, 5, now);
    await a.levels.evaluate(now);
    expect(a.levels.statuses[0]!.level).toBe('exceeded');
    await a.levels.evaluate(now + 86_400_000);
    expect(levelsOf(a.alerts)).toEqual(['ok→exceeded', 'exceeded→ok']);
  });
});
