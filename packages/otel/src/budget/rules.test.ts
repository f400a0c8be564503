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

  // Regression: a clock set back an hour made a rolling window read buckets an hour old, so the spend just counted was forgotten.
  it('keeps a rolling window where it was when the clock is set back, until the clock catches up', () => {
    const rolling = new BudgetRule(rule({ window: 'rolling:15m' }), 'UTC');
    const before = rolling.windowNow(now);
    const hourAgo = now - 3_600_000;
    expect(rolling.windowNow(hourAgo)).toBe(before);
    expect(rolling.entry(1, hourAgo).counter).toBe(before.counter);
    // Time moves on from where the window was, not from where the clock went.
    expect(rolling.windowNow(now + 20 * 60_000).window).not.toContain(before.counter);
    // A past window asked for by its time (an adjustment to an old day) is that time's.
    expect(rolling.windowAt(hourAgo).counter).not.toBe(before.counter);
  });

  it('follows the wall clock back and forth in a calendar window, as a bill does', () => {
    const daily = new BudgetRule(rule({ window: 'day' }), 'UTC');
    expect(daily.windowNow(now).counter).toBe('r|day:2026-11-23');
    expect(daily.windowNow(now + 86_400_000).counter).toBe('r|day:2026-11-24');
    expect(daily.windowNow(now).counter).toBe('r|day:2026-11-23');
  });

  it('holds no limit for an alert rule, so it never blocks', () => {
    expect(new BudgetRule(rule({ action: 'alert' }), 'UTC').entry(1, now).limit).toBeUndefined();
  });
});
