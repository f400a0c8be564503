import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CostctlBlockedError, priceModel, recordCost, reserve, start } from '@costctl/otel';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costctl } from './helpers/costctl.js';
import { select, sum } from './helpers/prometheus.js';
import { startRedis, type RedisServer } from './helpers/redis-server.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;
let redis: RedisServer;
beforeAll(async () => {
  [provider, redis] = await Promise.all([startFakeProvider(), startRedis()]);
});
afterAll(() => Promise.all([provider.close(), redis.stop()]));

let runs = 0;
// The file store answers at once; Redis answers every admission, check and commit with a promise.
const stores: [string, () => Record<string, string>][] = [
  ['file store', () => ({})],
  // Each run its own key prefix, so budgets start empty; a loaded test machine may take longer than the default 50 ms to answer.
  [
    'Redis store',
    () => ({ COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: redis.url, COSTCTL_REDIS_KEY_PREFIX: `manual${++runs}:`, COSTCTL_REDIS_TIMEOUT_MS: '2000' }),
  ],
];
beforeEach(() => provider.reset());

const app = 'test/apps/manual-spend.mjs';
const realtime = priceModel({ provider: 'openai', model: 'gpt-realtime', input: 5200, output: 1800, cacheRead: 4000 })!.usd;
const gemini = priceModel({ provider: 'gcp.gemini', model: 'gemini-2.5-flash', input: 3000, output: 600 })!.usd;
// OpenAI's dearest model in the price data (o1-pro) stands in for one it does not know: $150 and $600 per million.
const unknownEstimate = 1000 * (150 / 1e6) + 100 * (600 / 1e6);
const invoice = 12.5;
const budgeted = realtime + gemini + unknownEstimate + invoice;

function ledger(stateDir: string): Record<string, unknown>[] {
  return readdirSync(stateDir)
    .filter((name) => name.startsWith('ledger-'))
    .flatMap((name) => readFileSync(join(stateDir, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.each(stores)('spend recorded outside HTTP, in an app loaded with --import @costctl/otel/register (%s)', (_, store) => {
  it('shows in the metrics, the ledger, costctl report and the budgets like an observed call; an unknown model as an estimate, never $0', async () => {
    const env = { COSTCTL_DAILY_LIMIT_USD: '100', COSTCTL_LABELS: 'tenant', ...store() };
    const run = await runApp(app, {
      env,
      // A scrape reads the last evaluation, which follows the recorded spend shortly after.
      settled: (samples) => Math.abs((select(samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value ?? 0) - budgeted) < 1e-9,
    });
    const steps = Object.fromEntries(run.lines.map((line) => [line.step, line]));
    expect(steps.session).toEqual({
      step: 'session',
      recorded: { usd: expect.closeTo(realtime, 12), costSource: 'price_table', budgetUsd: expect.closeTo(realtime, 12) },
      again: null,
    });
    expect(steps.unknown).toEqual({ step: 'unknown', recorded: { unpricedReason: 'unknown_model', budgetUsd: expect.closeTo(unknownEstimate, 12) } });
    expect(steps.invoice).toEqual({ step: 'invoice', recorded: { usd: invoice, costSource: 'provider', budgetUsd: invoice } });

    const { samples } = run;
    const cost = (where: Record<string, string>) => sum(samples, 'costctl_cost_usd_total', where);
    expect(cost({ gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-realtime', costctl_cost_source: 'price_table', tenant: 'acme' })).toBeCloseTo(
      realtime,
      12,
    );
    expect(cost({ gen_ai_provider_name: 'gcp.gemini', gen_ai_request_model: 'gemini-2.5-flash', tenant: 'acme' })).toBeCloseTo(gemini, 12);
    expect(cost({ gen_ai_provider_name: 'acme-search', gen_ai_operation_name: 'search', costctl_cost_source: 'provider' })).toBe(invoice);
    // The unknown model is never claimed as spend: it is counted unpriced, and budgets hold its estimate.
    expect(cost({})).toBeCloseTo(realtime + gemini + invoice, 9);
    expect(sum(samples, 'costctl_unpriced_requests_total', { costctl_reason: 'unknown_model', gen_ai_request_model: 'gpt-9-realtime' })).toBe(1);
    expect(sum(samples, 'costctl_tokens_total', { gen_ai_request_model: 'gpt-realtime', gen_ai_token_type: 'cache_read' })).toBe(4000);
    expect(sum(samples, 'costctl_tokens_total', { gen_ai_request_model: 'gemini-2.5-flash', gen_ai_token_type: 'output' })).toBe(600);
    expect(sum(samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(4);
    // Only the session said how long it took; an invoice says nothing about how long calls take.
    expect(sum(samples, 'gen_ai_client_operation_duration_count')).toBe(1);
    expect(sum(samples, 'gen_ai_client_operation_duration_sum')).toBe(42);
    // Input and output of the three calls with tokens; the invoice had none to count.
    expect(sum(samples, 'gen_ai_client_token_usage_count')).toBe(6);
    expect(sum(samples, 'gen_ai_client_token_usage_count', { gen_ai_provider_name: 'acme-search' })).toBe(0);
    expect(select(samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value).toBeCloseTo(budgeted, 9);

    const lines = ledger(run.stateDir);
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => line.source === 'manual')).toBe(true);
    expect(lines[0]).toMatchObject({
      provider: 'openai',
      model: 'gpt-realtime',
      response_id: 'sess_rt_1',
      outcome: 'ok',
      tokens: { input: 5200, output: 1800, cache_read: 4000 },
      labels: { tenant: 'acme' },
      duration_s: 42,
    });
    expect(lines[2]).toMatchObject({
      model: 'gpt-9-realtime',
      cost_usd: null,
      unpriced_reason: 'unknown_model',
      budget_usd: expect.closeTo(unknownEstimate, 12),
    });
    expect(lines[3]).toMatchObject({
      provider: 'acme-search',
      operation: 'search',
      model: null,
      response_id: 'inv_2026_12',
      cost_usd: invoice,
      cost_source: 'provider',
    });

    const cwd = dirname(run.stateDir);
    const cli = { cwd, env: { ...env, COSTCTL_STATE_DIR: run.stateDir } };
    // This host's ledger in detail (with Redis, report reads the fleet's aggregates by default).
    const report = JSON.parse(costctl(['report', '--json', '--source', 'ledger'], cli).stdout) as {
      provider: string;
      model: string;
      calls: number;
      cost: number;
      unpriced: number;
    }[];
    expect(report).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: 'acme-search', calls: 1, cost: invoice }),
        expect.objectContaining({ provider: 'openai', model: 'gpt-realtime', calls: 1, cost: expect.closeTo(realtime, 12), input: 5200, output: 1800 }),
        expect.objectContaining({ provider: 'gcp.gemini', model: 'gemini-2.5-flash', calls: 1, cost: expect.closeTo(gemini, 12) }),
        expect.objectContaining({ provider: 'openai', model: 'gpt-9-realtime', calls: 1, cost: 0, unpriced: 1 }),
      ]),
    );
    // Budget counters live in the store: status reads them there, not from the ledger.
    const status = JSON.parse(costctl(['status', '--json'], cli).stdout) as { rules: { name: string; spent: number }[] };
    expect(status.rules).toEqual([expect.objectContaining({ name: 'daily_usd', spent: expect.closeTo(budgeted, 9) })]);
  });
});

describe('spend recorded outside HTTP, when costctl is disabled', () => {
  it('is a no-op when costctl is disabled: nothing recorded, nothing held, nothing written', async () => {
    const run = await runApp(app, { env: { COSTCTL_DISABLED: 'true', COSTCTL_DAILY_LIMIT_USD: '0.000001' }, scrape: false });
    expect(run.lines).toEqual([{ step: 'session', again: null }, { step: 'grpc' }, { step: 'unknown' }, { step: 'invoice' }]);
    // Disabled on purpose is not "not started": no warning asks to start it.
    expect(run.stderr).not.toContain('is not running');
    expect(existsSync(run.stateDir) ? readdirSync(run.stateDir).filter((name) => name.startsWith('ledger-')) : []).toEqual([]);
  });
});

describe.each(stores)('reserve, in an app that starts costctl itself (COSTCTL_BLOCK_MODE=throw, %s)', (_, store) => {
  it('is refused by an exhausted rule and by a tripped gate with the error a blocked HTTP call throws; spend that happened is recorded past the limit', async () => {
    const run = await runApp(app, {
      register: false,
      scrape: true,
      env: {
        MODE: 'blocked',
        INVOICE_USD: '1.5',
        COSTCTL_DAILY_LIMIT_USD: '1',
        COSTCTL_BLOCK_MODE: 'throw',
        FAKE_PROVIDER_URL: provider.url,
        COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
        ...store(),
      },
    });
    const steps = Object.fromEntries(run.lines.map((line) => [line.step, line])) as Record<string, Record<string, Record<string, unknown>>>;
    expect(steps.invoice!.recorded).toEqual({ usd: 1.5, costSource: 'provider', budgetUsd: 1.5 });
    expect(steps.check!.answer).toMatchObject({ admitted: false, error: { code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'daily_usd', spent: 1.5, limit: 1 } });

    const { manual, http } = steps.budget!;
    const fields = ({ class: name, code, rule, spent, limit, unit }: Record<string, unknown>) => ({ class: name, code, rule, spent, limit, unit });
    expect(fields(manual!)).toEqual({ class: 'CostctlBlockedError', code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'daily_usd', spent: 1.5, limit: 1, unit: 'usd' });
    expect(fields(manual!)).toEqual(fields(http!));
    const head = 'costctl blocked this call: budget rule "daily_usd" (day) has $1.50 spent of its $1.00 limit, so no call fits until the window frees room';
    expect(String(manual!.message)).toContain(head);
    expect(String(http!.message)).toContain(head);

    const gate = steps.gate!;
    expect(gate.manual).toMatchObject({
      class: 'CostctlBlockedError',
      code: 'COSTCTL_GATE_TRIPPED',
      rule: 'gate',
      actor: 'alice',
      reason: 'runaway realtime sessions',
    });
    expect(gate.manual!.message).toBe(gate.http!.message);
    expect(provider.requests).toHaveLength(0);
    // Each refusal is counted as a blocked HTTP call's is: one reserve and one fetch per reason.
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked', costctl_rule: 'daily_usd' })).toBe(2);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked', costctl_rule: 'gate' })).toBe(2);
  });
});

describe('recorded spend and a trip rule, in process', () => {
  it('trips the gate once the evaluator sees the rule passed, and reserve is then refused by the gate', async () => {
    const costctl = start({
      env: { COSTCTL_STORE: 'memory', COSTCTL_LEDGER: 'false', OTEL_METRICS_EXPORTER: 'none', COSTCTL_LOG_LEVEL: 'error' },
      config: { rules: [{ name: 'hard_stop', limit: 1, unit: 'usd', window: 'day', action: 'trip' }] },
    });
    try {
      // Spend that happened is never refused, even past a trip rule's limit.
      expect(recordCost({ provider: 'openai', usd: 2, operation: 'batch' })).toMatchObject({ usd: 2 });
      expect((await costctl.evaluate()).map((status) => [status.rule.name, status.level, status.spent])).toEqual([['hard_stop', 'exceeded', 2]]);
      expect(await costctl.gate.state()).toMatchObject({ tripped: true, actor: 'rule:hard_stop' });
      const refused = reserve({ provider: 'openai', model: 'gpt-4o-mini', maxOutputTokens: 24 });
      await expect(refused).rejects.toBeInstanceOf(CostctlBlockedError);
      await expect(refused).rejects.toMatchObject({ code: 'COSTCTL_GATE_TRIPPED', actor: 'rule:hard_stop' });
    } finally {
      await costctl.shutdown();
    }
    // After shutdown nothing is running: recorded spend goes nowhere.
    expect(recordCost({ provider: 'openai', usd: 1 })).toBeUndefined();
  });
});
