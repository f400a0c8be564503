import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { select, sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider();
});

afterAll(async () => {
  await provider.close();
});

beforeEach(() => provider.reset());

const question = [{ role: 'user', content: 'Is this call within budget?' }];
const openaiBody = { model: 'gpt-4o-mini', max_tokens: 24, messages: question };

/** The exact cost of one call the test apps make, from the price data. */
function costOf(api: 'openai.chat' | 'anthropic.messages', body: Record<string, unknown>): number {
  const usage = expectedUsage(api, body);
  const [input, output] = 'prompt_tokens' in usage ? [usage.prompt_tokens, usage.completion_tokens] : [usage.input_tokens, usage.output_tokens];
  return calcPrice({ input_tokens: input, output_tokens: output }, responseModel(api, String(body.model)), {
    providerId: api === 'openai.chat' ? 'openai' : 'anthropic',
  })!.total_price;
}

const env = (extra: Record<string, string>) => ({
  FAKE_PROVIDER_URL: provider.url,
  COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
  ...extra,
});

describe('budgets block calls before they leave', () => {
  it('answers the official OpenAI client with a 402 it raises at once, with no retry and no network request', async () => {
    const limit = 2.5 * costOf('openai.chat', openaiBody);
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: env({ SDK: 'openai', CALLS: '4', COSTCTL_DAILY_LIMIT_USD: String(limit) }) });
    expect(run.lines.map((line) => line.ok)).toEqual([true, true, false, false]);
    expect(run.lines[2]).toMatchObject({ class: 'APIError', status: 402, type: 'costctl_budget_exceeded', blocked: 'daily_usd' });
    expect(String(run.lines[2]!.message)).toContain('budget rule "daily_usd" (day) has $');
    expect(provider.requests).toHaveLength(2);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })).toBe(2);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBeLessThanOrEqual(limit);
  });

  it('answers the official Anthropic client with its PaymentRequiredError, at once, with no retry', async () => {
    const body = { model: 'claude-haiku-4-5', max_tokens: 24, messages: question };
    const limit = 1.5 * costOf('anthropic.messages', body);
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: env({ SDK: 'anthropic', CALLS: '3', COSTCTL_DAILY_LIMIT_USD: String(limit) }) });
    expect(run.lines.map((line) => line.ok)).toEqual([true, false, false]);
    expect(run.lines[1]).toMatchObject({ class: 'PaymentRequiredError', status: 402, type: 'costctl_budget_exceeded', blocked: 'daily_usd' });
    expect(provider.requests).toHaveLength(1);
  });

  it('rejects with CostctlBlockedError in throw mode', async () => {
    const limit = 1.5 * costOf('openai.chat', openaiBody);
    const run = await runApp('test/apps/budget-api.mjs', {
      register: false,
      env: env({ CALLS: '3', COSTCTL_DAILY_LIMIT_USD: String(limit), COSTCTL_BLOCK_MODE: 'throw' }),
    });
    expect(run.lines[0]!.outcomes).toEqual(['ok', 'thrown:COSTCTL_BUDGET_EXCEEDED:daily_usd', 'thrown:COSTCTL_BUDGET_EXCEEDED:daily_usd']);
    expect(run.lines[0]!.tripped).toMatchObject({ thrown: 'COSTCTL_GATE_TRIPPED', rule: 'gate' });
  });

  // Regression: a block said 'would be exceeded (spent 0.0000894 of 0.0001)', which read as a contradiction.
  describe.each([
    ['openai', 'openai.chat', { model: 'gpt-4o-mini', max_tokens: 24, messages: question }],
    ['anthropic', 'anthropic.messages', { model: 'claude-haiku-4-5', max_tokens: 24, messages: question }],
  ] as const)('a call the %s client makes that a budget blocks says why, in money', (sdk, api, body) => {
    it.each(['respond', 'throw'])("in %s mode: spent, this call's worst case and its source, the limit, and what to do", async (mode) => {
      const spent = costOf(api, body);
      const limit = 1.5 * spent;
      const run = await runApp('test/apps/blocked-sdk.mjs', {
        env: env({ SDK: sdk, CALLS: '2', COSTCTL_DAILY_LIMIT_USD: String(limit), COSTCTL_BLOCK_MODE: mode }),
      });
      expect(run.lines.map((line) => line.ok)).toEqual([true, false]);
      expect(provider.requests).toHaveLength(1);
      const blocked = run.lines[1]!;
      const said = String(mode === 'respond' ? blocked.bodyMessage : (blocked.cause as { message: string }).message);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const money = said.match(
        /has \$([0-9.]+) spent of its \$([0-9.]+) limit, and this call could cost up to \$([0-9.]+) \(its worst case with max_tokens 24 from the request\), which would pass the limit\./,
      );
      expect(money, said).not.toBeNull();
      // Three significant digits.
      expect(Number(money![1]) / spent).toBeCloseTo(1, 2);
      expect(Number(money![2]) / limit).toBeCloseTo(1, 2);
      expect(Number(money![1]) + Number(money![3])).toBeGreaterThan(Number(money![2]));
      expect(said).toContain(`To go on: lower max_tokens, raise the limit of "daily_usd" or wait until the window resets at ${tomorrow} 00:00 UTC.`);
      if (mode === 'throw') {
        expect(blocked.cause).toMatchObject({
          name: 'CostctlBlockedError',
          code: 'COSTCTL_BUDGET_EXCEEDED',
          rule: 'daily_usd',
          spent: expect.closeTo(spent, 15),
          limit,
          unit: 'usd',
          reserve: expect.any(Number),
          reserveSource: 'max_tokens',
          maxOutputTokens: 24,
          window: 'day',
          resetsAt: `${tomorrow}T00:00:00.000Z`,
          timeZone: 'UTC',
        });
      } else {
        expect(blocked).toMatchObject({ status: 402, type: 'costctl_budget_exceeded', blocked: 'daily_usd' });
      }
      // The log says the same, once.
      expect(run.stderr.split('\n').filter((line) => line.includes('costctl blocked this call'))).toEqual([expect.stringContaining(said.replace(/"/g, '\\"'))]);
    });
  });

  it('names the default output tokens it reserved when the request sets no max_tokens, and says to set it', async () => {
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: env({ SDK: 'openai', CALLS: '1', MAX_TOKENS: 'none', COSTCTL_DAILY_LIMIT_USD: '0.0001' }) });
    expect(run.lines[0]).toMatchObject({ ok: false, status: 402 });
    expect(String(run.lines[0]!.bodyMessage)).toMatch(
      /has \$0\.00 spent of its \$0\.0001 limit, and this call could cost up to \$0\.00\d+ \(its worst case with the default of 4096 output tokens, as the request sets no max_tokens\).*To go on: set max_tokens on the request/,
    );
  });

  it('says who tripped the gate, when and why, in the 402 body and the thrown error', async () => {
    for (const mode of ['respond', 'throw']) {
      const run = await runApp('test/apps/budget-api.mjs', { register: false, env: env({ CALLS: '0', COSTCTL_BLOCK_MODE: mode }) });
      const { tripped } = run.lines[0] as {
        tripped: { body?: { error: { message: string } }; message?: string; actor?: string; reason?: string; since?: string };
      };
      const said = tripped.body?.error.message ?? tripped.message;
      expect(said).toMatch(
        /the emergency gate was tripped by alice at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(retry storm in checkout\)\. Calls to paid APIs are blocked until an operator resets it: costctl gate reset/,
      );
      if (mode === 'throw') expect(tripped).toMatchObject({ actor: 'alice', reason: 'retry storm in checkout', since: expect.stringMatching(/^\d{4}-/) });
    }
  });

  it('limits requests per minute with the env shorthand', async () => {
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: env({ SDK: 'openai', CALLS: '5', COSTCTL_MAX_REQUESTS_PER_MINUTE: '3' }) });
    expect(run.lines.map((line) => line.ok)).toEqual([true, true, true, false, false]);
    expect(run.lines[3]).toMatchObject({ status: 402, blocked: 'requests_per_minute' });
  });

  it('never lets committed spend pass the limit under 200 concurrent streams', async () => {
    const streamed = {
      ...openaiBody,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream me something short.' }],
    };
    const each = costOf('openai.chat', streamed);
    const limit = 50.5 * each;
    const run = await runApp('test/apps/concurrent.mjs', { env: env({ CALLS: '200', COSTCTL_DAILY_LIMIT_USD: String(limit) }) });
    const { ok, blocked } = run.lines[0] as { ok: number; blocked: number };
    expect(ok + blocked).toBe(200);
    expect(ok).toBe(50);
    expect(provider.requests).toHaveLength(ok);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBeLessThanOrEqual(limit);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBeCloseTo(50 * each, 12);
  });
});

describe('the evaluator, alerts and the gate', () => {
  it('moves a rule ok → warning → critical → exceeded, alerting once per change, and shows it on /metrics', async () => {
    const limit = 10 * costOf('openai.chat', openaiBody) * 0.999;
    const run = await runApp('test/apps/budget-api.mjs', {
      register: false,
      env: env({ CALLS: '11', COSTCTL_DAILY_LIMIT_USD: String(limit), COSTCTL_ON_EXCEED: 'alert' }),
    });
    const [result] = run.lines as { outcomes: string[]; alerts: unknown[]; statuses: { rule: string; level: string }[] }[];
    expect(result!.outcomes.every((outcome) => outcome === 'ok')).toBe(true);
    expect(result!.alerts).toEqual([
      { rule: 'daily_usd', level: 'warning', previous: 'ok' },
      { rule: 'daily_usd', level: 'critical', previous: 'warning' },
      { rule: 'daily_usd', level: 'exceeded', previous: 'critical' },
    ]);
    expect(result!.statuses).toMatchObject([{ rule: 'daily_usd', level: 'exceeded' }]);
    expect(run.stderr).toMatch(/"msg":"costctl budget daily_usd is warning"/);
  });

  it('exports the budget gauges under register', async () => {
    const limit = 4 * costOf('openai.chat', openaiBody);
    const spent = 3 * costOf('openai.chat', openaiBody);
    // A scrape reads the last evaluation, which follows the last call shortly after it settles.
    const run = await runApp('test/apps/blocked-sdk.mjs', {
      env: env({ SDK: 'openai', CALLS: '3', COSTCTL_DAILY_LIMIT_USD: String(limit) }),
      settled: (samples) => Math.abs((select(samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value ?? 0) - spent) < 1e-15,
    });
    expect(select(run.samples, 'costctl_budget_limit', { costctl_rule: 'daily_usd', costctl_unit: 'usd' })[0]?.value).toBeCloseTo(limit, 15);
    expect(select(run.samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value).toBeCloseTo(spent, 15);
    expect(select(run.samples, 'costctl_budget_level', { costctl_rule: 'daily_usd' })[0]?.value).toBe(1);
    expect(select(run.samples, 'costctl_gate_tripped')[0]?.value).toBe(0);
  });

  it('blocks every call with the gate once tripped, until an operator resets it; each change audited', async () => {
    const run = await runApp('test/apps/budget-api.mjs', { register: false, env: env({ CALLS: '1' }) });
    // biome-ignore lint/suspicious/noExplicitAny: the app's JSON report, read field by field below
    const [result] = run.lines as Record<string, any>[];
    expect(result!.tripped).toEqual({
      status: 402,
      blocked: 'gate',
      retry: 'false',
      body: {
        error: {
          type: 'costctl_gate_tripped',
          code: 'costctl_gate_tripped',
          param: null,
          message: expect.stringMatching(/the emergency gate was tripped by alice at .* \(retry storm in checkout\)/),
        },
      },
    });
    expect(result!.audit).toEqual([
      { action: 'trip', reason: 'retry storm in checkout', actor: 'alice', wasTripped: false },
      { action: 'reset', reason: 'loop fixed', actor: 'bob', wasTripped: true },
    ]);
    expect(result!.gateAfterReset).toBe(false);
    expect(provider.requests).toHaveLength(1);
  });

  it('trips the gate from a trip rule, blocking every provider after', async () => {
    const limit = 1.5 * costOf('openai.chat', openaiBody);
    const run = await runApp('test/apps/blocked-sdk.mjs', {
      env: env({ SDK: 'openai', CALLS: '3', COSTCTL_DAILY_LIMIT_USD: String(limit), COSTCTL_ON_EXCEED: 'trip' }),
    });
    expect(run.lines.map((line) => line.blocked ?? 'ok')).toEqual(['ok', 'gate', 'gate']);
    expect(run.lines[1]).toMatchObject({ type: 'costctl_gate_tripped' });
    expect(select(run.samples, 'costctl_gate_tripped')[0]?.value).toBe(1);
  });

  it('posts each alert to COSTCTL_ALERT_WEBHOOK', async () => {
    const hook = await startWebhookReceiver();
    const { received } = hook;
    try {
      const limit = 1.3 * costOf('openai.chat', openaiBody);
      await runApp('test/apps/budget-api.mjs', {
        register: false,
        env: env({ CALLS: '2', COSTCTL_DAILY_LIMIT_USD: String(limit), COSTCTL_ON_EXCEED: 'alert', COSTCTL_ALERT_WEBHOOK: hook.url }),
        until: () => received.filter((alert) => alert.kind === 'budget').length >= 2,
      });
    } finally {
      await hook.close();
    }
    const budgetAlerts = received.filter((alert) => alert.kind === 'budget');
    expect(budgetAlerts.map((alert) => alert.level)).toEqual(['warning', 'exceeded']);
    expect(budgetAlerts[0]).toMatchObject({ rule: 'daily_usd', previous: 'ok', unit: 'usd', window: 'day', action: 'alert' });
  });
});
