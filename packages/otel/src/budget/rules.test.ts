import { describe, expect, it } from 'vitest';
import type { RuleConfig } from '../config/schema.js';
import { BudgetRule } from './rules.js';

const rule = (extra: Partial<RuleConfig>): RuleConfig => ({
  name: 'r',
  limit: 10,
  unit: 'usd',
  window: 'total',
  scope: {},
  warnAt: 0.7,
  criticalAt: 0.9,
  action: 'block',
  ...extra,
});
const now = Date.UTC(2026, 10, 23, 12);

describe('BudgetRule', () => {
  it('counts a total window in one counter forever', () => {
    expect(new BudgetRule(rule({}), 'UTC').entry(1, now)).toEqual({ counter: 'r|total', window: ['r|total'], amount: 1, limit: 10, expiresAt: Infinity });
  });

  it('counts a prepaid balance from its purchase date in a counter of its own, so a new balance starts from zero', () => {
    const bought = (since: number) => new BudgetRule(rule({ name: 'credits_openai', credits: { provider: 'openai', since } }), 'UTC').entry(1, now).counter;
    expect(bought(Date.UTC(2026, 10, 1))).toBe('credits_openai|since:2026-11-01T00:00:00.000Z');
    expect(bought(Date.UTC(2026, 10, 20))).not.toBe(bought(Date.UTC(2026, 10, 1)));
  });

  it('matches a call only when every scope entry does', () => {
    const scoped = new BudgetRule(rule({ scope: { provider: 'openai', tenant: 'acme' } }), 'UTC');
    expect(scoped.matches({ provider: 'openai', model: 'gpt-4o', labels: { tenant: 'acme' } })).toBe(true);
    expect(scoped.matches({ provider: 'openai', model: 'gpt-4o', labels: { tenant: 'beta' } })).toBe(false);
    expect(scoped.matches({ provider: 'anthropic', model: 'gpt-4o', labels: { tenant: 'acme' } })).toBe(false);
  });

  it('holds no limit for an alert rule, so it never blocks', () => {
    expect(new BudgetRule(rule({ action: 'alert' }), 'UTC').entry(1, now).limit).toBeUndefined();
  });
});
