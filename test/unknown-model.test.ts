import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedUsage, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAiMedia, startFakeOpenAiMedia } from './helpers/fake-openai-media.js';
import { select, sum } from './helpers/prometheus.js';
import { repoRoot, runApp } from './helpers/run-app.js';

let provider: FakeProvider;
let media: FakeOpenAiMedia;

beforeAll(async () => {
  [provider, media] = await Promise.all([startFakeProvider(), startFakeOpenAiMedia()]);
});

afterAll(async () => {
  await Promise.all([provider.close(), media.close()]);
});

beforeEach(() => provider.reset());

// OpenAI's dearest model in the price data (o1-pro): USD per token, input and output.
const HIGHEST = { input: 150 / 1e6, output: 600 / 1e6 };
const unknownBody = { model: 'gpt-9-preview', max_tokens: 24, messages: [{ role: 'user', content: 'Is this call within budget?' }] };

const env = (extra: Record<string, string>) => ({
  FAKE_PROVIDER_URL: provider.url,
  COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
  SDK: 'openai',
  MODEL: unknownBody.model,
  ...extra,
});

/** Every call line of the app's ledger. */
function ledger(stateDir: string): Record<string, unknown>[] {
  return readdirSync(stateDir)
    .filter((name) => name.startsWith('ledger-'))
    .flatMap((name) => readFileSync(join(stateDir, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.outcome !== 'blocked');
}

function status(stateDir: string, extra: Record<string, string>) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), 'status', '--json'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: stateDir, ...extra },
  });
  return JSON.parse(result.stdout) as { rules: { name: string; spent: number }[] };
}

describe('a call to a model the price data does not know', () => {
  // Regression: such calls added $0, so three of them passed a $0.0000001 daily limit and status still said $0.
  it("counts at the provider's highest known price against a dollar budget, and stays unpriced: never claimed as spend", async () => {
    const usage = expectedUsage('openai.chat', unknownBody) as { prompt_tokens: number; completion_tokens: number };
    const estimate = usage.prompt_tokens * HIGHEST.input + usage.completion_tokens * HIGHEST.output;
    // Room for one call's worst case, not for a second one after the first is counted.
    const limit = estimate + 24 * HIGHEST.output;
    // A scrape reads the last evaluation, which follows the settled call shortly after.
    const run = await runApp('test/apps/blocked-sdk.mjs', {
      env: env({ CALLS: '3', COSTCTL_DAILY_LIMIT_USD: String(limit) }),
      settled: (samples) => (select(samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value ?? 0) > 0,
    });
    expect(run.lines.map((line) => line.ok)).toEqual([true, false, false]);
    expect(provider.requests).toHaveLength(1);
    expect(String(run.lines[1]!.bodyMessage)).toContain("priced at the provider's highest known price because the price data does not know the model");
    expect(sum(run.samples, 'costctl_unpriced_requests_total', { costctl_reason: 'unknown_model' })).toBe(1);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBe(0);
    expect(ledger(run.stateDir)).toEqual([
      expect.objectContaining({ model: 'gpt-9-preview', cost_usd: null, unpriced_reason: 'unknown_model', budget_usd: expect.closeTo(estimate, 12) }),
    ]);
    expect(select(run.samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value).toBeCloseTo(estimate, 12);
    expect(status(run.stateDir, { COSTCTL_DAILY_LIMIT_USD: String(limit) }).rules).toEqual([
      expect.objectContaining({ name: 'daily_usd', spent: expect.closeTo(estimate, 12) }),
    ]);
  });

  it('is blocked under a dollar budget when unknownModel is block, saying how to price it', async () => {
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: env({ CALLS: '1', COSTCTL_DAILY_LIMIT_USD: '100', COSTCTL_UNKNOWN_MODEL: 'block' }) });
    expect(run.lines[0]).toMatchObject({ ok: false, status: 402, type: 'costctl_budget_exceeded', blocked: 'daily_usd' });
    expect(String(run.lines[0]!.bodyMessage)).toContain('the price data has no price for openai model "gpt-9-preview"');
    expect(String(run.lines[0]!.bodyMessage)).toContain('prices.openai["gpt-9-preview"]');
    expect(provider.requests).toHaveLength(0);
  });
});

describe('an OpenAI Batch job, billed later', () => {
  const batch = [{ kind: 'batch', params: { input_file_id: 'file-7Nc3YFoaNZqCnmh2T5uvcD', endpoint: '/v1/chat/completions', completion_window: '24h' } }];
  const mediaEnv = (extra: Record<string, string>) => ({
    OPENAI_BASE_URL: `${media.url}/v1`,
    COSTCTL_ENDPOINTS: `openai=${media.url}/v1`,
    CALLS: JSON.stringify(batch),
    ...extra,
  });
  // No prompt in the request, and the default 4096 output tokens, at the highest price.
  const worst = 4096 * HIGHEST.output;

  // Regression: creating a batch reserved and committed $0, whatever the budget.
  it('reserves its estimate when it is created, so a dollar budget can refuse it', async () => {
    const before = media.requests.length;
    const run = await runApp('test/apps/openai-media.mjs', { env: mediaEnv({ COSTCTL_DAILY_LIMIT_USD: '1' }) });
    expect(run.lines[0]).toMatchObject({ ok: false, error: { status: 402 } });
    expect(media.requests.length).toBe(before);
  });

  it('commits that estimate to budgets when it is created, and stays unpriced', async () => {
    const run = await runApp('test/apps/openai-media.mjs', {
      env: mediaEnv({ COSTCTL_DAILY_LIMIT_USD: '100' }),
      settled: (samples) => (select(samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value ?? 0) > 0,
    });
    expect(run.lines[0]).toMatchObject({ ok: true });
    expect(select(run.samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value).toBeCloseTo(worst, 12);
    expect(sum(run.samples, 'costctl_unpriced_requests_total', { costctl_reason: 'billed_later' })).toBe(1);
    expect(ledger(run.stateDir)).toEqual([
      expect.objectContaining({ operation: 'batch', cost_usd: null, unpriced_reason: 'billed_later', budget_usd: expect.closeTo(worst, 12) }),
    ]);
  });
});
