import { describe, expect, it } from 'vitest';
import {
  blockMessage,
  ConfigError,
  CostctlArgumentError,
  CostctlBlockedError,
  CostctlError,
  CostctlStoreError,
  isCostctlError,
  type BlockReason,
} from './errors.js';

const daily: BlockReason = {
  code: 'COSTCTL_BUDGET_EXCEEDED',
  rule: 'daily_usd',
  spent: 0.0000894,
  limit: 0.0001,
  unit: 'usd',
  reserve: 0.0000216,
  reserveSource: 'max_tokens',
  maxOutputTokens: 24,
  window: 'day',
  resetsAt: Date.UTC(2026, 11, 7, 23),
  timeZone: 'Europe/Paris',
};

describe('blockMessage', () => {
  // Regression: 'budget rule "daily_usd" would be exceeded (spent 0.0000894 of 0.0001)' read as a contradiction.
  it('says in dollars what was spent, what this call would have reserved and from what, the limit, and what to do', () => {
    expect(blockMessage(daily)).toBe(
      'costctl blocked this call: budget rule "daily_usd" (day) has $0.0000894 spent of its $0.0001 limit, and this call could cost up to $0.0000216 ' +
        '(its worst case with max_tokens 24 from the request), which would pass the limit. ' +
        'To go on: lower max_tokens, raise the limit of "daily_usd" or wait until the window resets at 2026-12-08 00:00 Europe/Paris.',
    );
  });

  it('names the configured default when the request set no max_tokens, and says to set it', () => {
    const message = blockMessage({ ...daily, reserveSource: 'default_max_tokens', maxOutputTokens: 4096, reserve: 0.0024 });
    expect(message).toContain('could cost up to $0.0024 (its worst case with the default of 4096 output tokens, as the request sets no max_tokens)');
    expect(message).toContain('To go on: set max_tokens on the request (or a lower defaultMaxOutputTokens), raise the limit');
  });

  it('shows amounts in one precision, so two different amounts never print alike', () => {
    const message = blockMessage({ ...daily, spent: 9.996, limit: 10, reserve: 0.0216 });
    expect(message).toContain('has $9.996 spent of its $10.00 limit, and this call could cost up to $0.0216');
    expect(blockMessage({ ...daily, spent: 1234.5, limit: 2000, reserve: 800 })).toContain(
      'has $1,234.50 spent of its $2,000.00 limit, and this call could cost up to $800.00',
    );
  });

  it('says when the limit is already reached that no call fits, without suggesting a smaller max_tokens', () => {
    const message = blockMessage({ ...daily, spent: 0.0001, reserve: 0.0000216 });
    expect(message).toContain('has $0.0001 spent of its $0.0001 limit, so no call fits until the window frees room');
    expect(message).toContain('To go on: raise the limit of "daily_usd" or wait until the window resets');
    expect(message).not.toContain('max_tokens from the request), which');
  });

  it('counts tokens and requests in their own unit', () => {
    const tokens = blockMessage({ ...daily, rule: 'tokens_hourly', unit: 'tokens', spent: 95_000, limit: 100_000, reserve: 6_000, window: 'hour' });
    expect(tokens).toContain('has counted 95,000 tokens of its limit of 100,000 tokens, and this call would count up to 6,000 tokens');
    const requests = blockMessage({ ...daily, rule: 'rpm', unit: 'requests', spent: 60, limit: 60, reserve: 1, reserveSource: 'request', window: 'minute' });
    expect(requests).toContain('has counted 60 requests of its limit of 60 requests, so no call fits');
  });

  it('tells a rolling window by when its spend has left it, and a total window not at all', () => {
    expect(blockMessage({ ...daily, window: 'rolling:1h', resetsAt: Date.UTC(2026, 11, 7, 13, 5), timeZone: 'UTC' })).toContain(
      'wait while the rolling:1h window slides (all spend counted now has left it by 2026-12-07 13:05 UTC)',
    );
    const total = blockMessage({ ...daily, window: 'total', resetsAt: undefined });
    expect(total).toMatch(/To go on: lower max_tokens or raise the limit of "daily_usd"\.$/);
  });

  it('says the price is a fallback when the price data does not know the model', () => {
    expect(blockMessage({ ...daily, fallbackPrice: true })).toContain(
      "priced at the provider's highest known price because the price data does not know the model",
    );
    expect(blockMessage({ ...daily, unpricedModel: 'openai/gpt-9-preview', spent: 0 })).toContain(
      'the price data has no price for openai model "gpt-9-preview", and budget rule "daily_usd" counts dollars (unknownModel: block). To go on: add its price to the config file under prices.openai["gpt-9-preview"]',
    );
  });

  it('says who tripped the gate, when and why, and how to reset it', () => {
    const message = blockMessage({
      code: 'COSTCTL_GATE_TRIPPED',
      rule: 'gate',
      spent: 0,
      limit: 0,
      reason: 'runaway loop',
      actor: 'alice',
      since: Date.UTC(2026, 11, 7, 9, 30),
    });
    expect(message).toBe(
      'costctl blocked this call: the emergency gate was tripped by alice at 2026-12-07 09:30 UTC (runaway loop). Calls to paid APIs are blocked until an operator resets it: costctl gate reset --reason "…"',
    );
    const store = blockMessage({
      code: 'COSTCTL_GATE_TRIPPED',
      rule: 'gate',
      spent: 0,
      limit: 0,
      reason: 'costctl store unreachable: ECONNREFUSED',
      actor: 'costctl',
    });
    expect(store).toBe(
      'costctl blocked this call: the emergency gate closed itself: costctl cannot use its store (costctl store unreachable: ECONNREFUSED). Calls to paid APIs are blocked until the store answers again: fix the store, or set onStoreUnreachable: open to run unbudgeted',
    );
  });
});

describe('CostctlBlockedError', () => {
  it('carries every fact of the block as a typed field', () => {
    const error = new CostctlBlockedError(daily);
    expect(isCostctlError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'COSTCTL_BUDGET_EXCEEDED',
      rule: 'daily_usd',
      spent: 0.0000894,
      limit: 0.0001,
      unit: 'usd',
      reserve: 0.0000216,
      reserveSource: 'max_tokens',
      maxOutputTokens: 24,
      window: 'day',
      resetsAt: new Date(Date.UTC(2026, 11, 7, 23)),
      timeZone: 'Europe/Paris',
      message: blockMessage(daily),
    });
  });
});

describe('instanceof', () => {
  const errors = {
    blocked: new CostctlBlockedError(daily),
    store: new CostctlStoreError('could not read budgets: down', '/srv/.costctl'),
    config: new ConfigError([{ key: 'COSTCTL_TIMEZONE', value: 'Mars', expected: 'an IANA time zone' }], 'environment'),
    argument: new CostctlArgumentError('costctl: now must be a time in ms since the epoch, got NaN'),
    base: new CostctlError('COSTCTL_DISABLED', 'disabled'),
  };

  it("holds for an error's own class and CostctlError, and for no sibling class", () => {
    expect(errors.blocked).toBeInstanceOf(CostctlBlockedError);
    expect(errors.store).toBeInstanceOf(CostctlStoreError);
    expect(errors.config).toBeInstanceOf(ConfigError);
    expect(errors.argument).toBeInstanceOf(CostctlArgumentError);
    for (const error of Object.values(errors)) {
      expect(error).toBeInstanceOf(CostctlError);
      expect(error).toBeInstanceOf(Error);
    }
    expect(errors.store instanceof CostctlBlockedError).toBe(false);
    expect(errors.blocked instanceof CostctlStoreError).toBe(false);
    expect(errors.base instanceof ConfigError).toBe(false);
  });

  it('holds for no plain error and no value that is not an object', () => {
    expect(new Error('x') instanceof CostctlError).toBe(false);
    expect(Object.assign(new Error('x'), { code: 'COSTCTL_GATE_TRIPPED' }) instanceof CostctlBlockedError).toBe(false);
    expect((null as unknown) instanceof CostctlError).toBe(false);
    expect(('COSTCTL_GATE_TRIPPED' as unknown) instanceof CostctlError).toBe(false);
  });

  it('holds for a subclass an app defines', () => {
    class QuotaError extends CostctlError {}
    const error = new QuotaError('COSTCTL_BUDGET_EXCEEDED', 'over quota');
    expect(error).toBeInstanceOf(QuotaError);
    expect(error).toBeInstanceOf(CostctlError);
    expect(error.name).toBe('QuotaError');
    expect(errors.base instanceof QuotaError).toBe(false);
  });

  it('reads the brand, so an error of another copy of the package passes', () => {
    const copies = [Symbol.for('costctl.error'), Symbol.for('costctl.error.kinds')] as const;
    const foreign = Object.assign(new Error('from another copy'), {
      code: 'COSTCTL_STORE_UNAVAILABLE',
      [copies[0]]: true,
      [copies[1]]: ['CostctlStoreError', 'CostctlError'],
    });
    expect(foreign).toBeInstanceOf(CostctlStoreError);
    expect(foreign).toBeInstanceOf(CostctlError);
    expect(foreign instanceof CostctlBlockedError).toBe(false);
    expect(isCostctlError(foreign)).toBe(true);
  });
});
