// Prepaid credits and the display currency, as a user configures them: a
// config file, an app under --import register, /metrics and the CLI.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costctl } from './helpers/looper.js';
import { select } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(async () => {
  await provider.close();
});

const body = { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Is this call within budget?' }] };
const usage = expectedUsage('openai.chat', body);
const each = calcPrice({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }, responseModel('openai.chat', 'gpt-4o-mini'), {
  providerId: 'openai',
})!.total_price;

/** A working directory with this config file, and the environment of a process run in it. */
function setup(config: object): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-credits-'));
  writeFileSync(join(dir, 'costctl.config.json'), JSON.stringify(config));
  return {
    COSTCTL_CONFIG: join(dir, 'costctl.config.json'),
    COSTCTL_STATE_DIR: join(dir, '.costctl'),
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
  };
}

describe('prepaid credits', () => {
  it('draw down with spend, export what remains, and block the provider at zero', async () => {
    const balance = 3.5 * each;
    const env = setup({ credits: { openai: { balance, since: '2026-11-01' } }, currency: { code: 'EUR', perUsd: 0.9 } });
    provider.reset();
    // A scrape reads the last evaluation, which follows the last call shortly after it settles.
    const run = await runApp('test/apps/blocked-sdk.mjs', {
      env: { ...env, SDK: 'openai', CALLS: '5' },
      settled: (samples) => select(samples, 'costctl_budget_level', { costctl_rule: 'credits_openai' })[0]?.value === 3,
    });
    const outcomes = run.lines.map((line) => (line.ok ? 'ok' : line.blocked));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'credits_openai', 'credits_openai']);
    expect(provider.requests).toHaveLength(3);

    expect(select(run.samples, 'costctl_credits_remaining', { gen_ai_provider_name: 'openai' })[0]?.value).toBeCloseTo(balance - 3 * each, 15);
    // 3 of 3.5 calls' worth spent, and the rule refuses the fourth: exhausted, though spend is short of the balance.
    expect(select(run.samples, 'costctl_budget_level', { costctl_rule: 'credits_openai' })[0]?.value).toBe(3);
    expect(select(run.samples, 'costctl_budget_spent_display', { costctl_rule: 'credits_openai', costctl_currency: 'EUR' })[0]?.value).toBeCloseTo(
      3 * each * 0.9,
      15,
    );

    const status = JSON.parse(costctl(['status', '--json'], env).stdout) as { currency: unknown; rules: Record<string, unknown>[] };
    expect(status.currency).toEqual({ code: 'EUR', perUsd: 0.9 });
    expect(status.rules[0]).toMatchObject({ name: 'credits_openai', limit: balance, action: 'block', scope: { provider: 'openai' } });
    expect(status.rules[0]!.remaining).toBeCloseTo(balance - 3 * each, 15);
    expect(status.rules[0]!.spentDisplay).toBeCloseTo(3 * each * 0.9, 15);
    const text = costctl(['status'], env).stdout;
    expect(text).toMatch(/credits_openai +credits since 2026-11-01 +\$[\d.]+ +€[\d.]+/);
    const report = costctl(['report'], env).stdout;
    expect(report).toMatch(/^total \$[\d.]+ \(€[\d.]+ at 0\.9 EUR per USD\) over 5 calls$/m);
    const rows = JSON.parse(costctl(['report', '--json'], env).stdout) as { cost: number; cost_display: number; currency: string }[];
    expect(rows[0]!.currency).toBe('EUR');
    expect(rows[0]!.cost_display).toBeCloseTo(rows[0]!.cost * 0.9, 15);
  });

  it('count only the provider they are with', async () => {
    const env = setup({ credits: { anthropic: { balance: 1 } } });
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: { ...env, SDK: 'openai', CALLS: '2' } });
    expect(run.lines.every((line) => line.ok)).toBe(true);
    expect(select(run.samples, 'costctl_credits_remaining', { gen_ai_provider_name: 'anthropic' })[0]?.value).toBe(1);
  });

  it('refuse a provider costctl does not know, and a bad currency, with one readable message', () => {
    const provider = costctl(['status'], setup({ credits: { opnai: { balance: 10 } } }));
    expect(provider.status).toBe(2);
    expect(provider.stderr).toMatch(/credits\.opnai="opnai": expected a provider: one of .*\bopenai\b/);
    const currency = costctl(['status'], setup({ currency: { code: 'euro', perUsd: 0.9 } }));
    expect(currency.status).toBe(2);
    expect(currency.stderr).toMatch(/currency\.code="euro": expected an ISO 4217 currency code such as EUR/);
  });
});
