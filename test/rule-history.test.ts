// A rule counts its whole window (docs/budgets-and-gate.md): a rule added mid-window sees the
// spend already made, on one host (file store) and across a fleet (Redis).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { createClient } from '@redis/client';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './helpers/redis-server.js';
import { select } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;
let redis: RedisServer;

beforeAll(async () => {
  [provider, redis] = await Promise.all([startFakeProvider(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([provider?.close(), redis?.stop()]);
});

beforeEach(() => provider.reset());

const body = { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Is this call within budget?' }] };
const usage = expectedUsage('openai.chat', body) as { prompt_tokens: number; completion_tokens: number };
const each = calcPrice({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }, responseModel('openai.chat', body.model), {
  providerId: 'openai',
})!.total_price;
const spent = 3 * each;

const app = (extra: Record<string, string>) => ({
  FAKE_PROVIDER_URL: provider.url,
  COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
  SDK: 'openai',
  // The rule every call is made under before the new one exists.
  COSTCTL_MONTHLY_LIMIT_USD: '100',
  ...extra,
});

/**
 * Spends $S in one process, then starts another with a new daily rule of S/2, whose first call must be blocked.
 * `written`, when given, keeps the first process up until it holds: what it spent has reached the store.
 */
async function addRuleAfterSpend(first: Record<string, string>, second: Record<string, string>, written?: () => boolean) {
  const before = await runApp('test/apps/blocked-sdk.mjs', { env: app({ CALLS: '3', ...first }), ...(written ? { until: written } : {}) });
  expect(before.lines.map((line) => line.ok)).toEqual([true, true, true]);
  // A scrape reads the last evaluation: on Redis the first one may still be on its way when the app is done.
  const after = await runApp('test/apps/blocked-sdk.mjs', {
    env: app({ CALLS: '1', COSTCTL_DAILY_LIMIT_USD: String(spent / 2), ...second }),
    settled: (samples) => select(samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' }).length > 0,
  });
  expect(after.lines[0]).toMatchObject({ ok: false, status: 402, blocked: 'daily_usd' });
  const money = String(after.lines[0]!.bodyMessage).match(/has \$([0-9.]+) spent of its/);
  expect(Number(money?.[1]) / spent).toBeCloseTo(1, 2);
  expect(select(after.samples, 'costctl_budget_spent', { costctl_rule: 'daily_usd' })[0]?.value).toBeCloseTo(spent, 15);
  expect(provider.requests).toHaveLength(3);
}

describe('a rule added mid-window counts the spend already made', () => {
  // Regression: a daily limit added after $S was spent today started from $0, so a limit of S/2 let the next call through.
  it('on one host: restarted with a new daily rule of S/2 after spending $S, the next call is blocked', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-history-'));
    await addRuleAfterSpend({ COSTCTL_STATE_DIR: stateDir }, { COSTCTL_STATE_DIR: stateDir });
  });

  it('across a fleet on Redis: a second process with a new daily rule of S/2 blocks its first call', async () => {
    const fleet = { COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: redis.url, COSTCTL_REDIS_KEY_PREFIX: 'history:', COSTCTL_REDIS_TIMEOUT_MS: '2000' };
    // Calls admitted against leases reach Redis within a renewal (100 ms); the app ends with process.exit(), which cannot wait for Redis.
    const client = createClient({ url: redis.url });
    await client.connect();
    let requests = 0;
    const poll = setInterval(() => void client.hGet('history:a:total|*', 'q').then((q) => (requests = Number(q ?? 0))), 50);
    try {
      // Each process has its own state directory: only Redis knows what the other spent.
      await addRuleAfterSpend(
        { ...fleet, COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-history-a-')) },
        { ...fleet, COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-history-b-')) },
        () => requests === 3,
      );
    } finally {
      clearInterval(poll);
      await client.close();
    }
  });

  it('counts calls no rule held when they were made: an app that had no budget at all', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-history-'));
    await addRuleAfterSpend({ COSTCTL_STATE_DIR: stateDir, COSTCTL_MONTHLY_LIMIT_USD: '' }, { COSTCTL_STATE_DIR: stateDir, COSTCTL_MONTHLY_LIMIT_USD: '' });
  });

  it('across a fleet on Redis, counts calls no rule held once their aggregates are written (a second at most)', async () => {
    const fleet = {
      COSTCTL_STORE: 'redis',
      COSTCTL_REDIS_URL: redis.url,
      COSTCTL_REDIS_KEY_PREFIX: 'unheld:',
      COSTCTL_REDIS_TIMEOUT_MS: '2000',
      COSTCTL_MONTHLY_LIMIT_USD: '',
    };
    const client = createClient({ url: redis.url });
    await client.connect();
    let written = false;
    const poll = setInterval(() => void client.keys('unheld:a:*').then((keys) => (written ||= keys.length > 0)), 50);
    try {
      const before = await runApp('test/apps/blocked-sdk.mjs', {
        env: app({ CALLS: '3', ...fleet, COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-history-a-')) }),
        until: () => written,
      });
      expect(before.lines.map((line) => line.ok)).toEqual([true, true, true]);
    } finally {
      clearInterval(poll);
      await client.close();
    }
    const after = await runApp('test/apps/blocked-sdk.mjs', {
      env: app({ CALLS: '1', COSTCTL_DAILY_LIMIT_USD: String(spent / 2), ...fleet, COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-history-b-')) }),
    });
    expect(after.lines[0]).toMatchObject({ ok: false, status: 402, blocked: 'daily_usd' });
  });

  it('in its own scope only: a new Anthropic rule is not charged with OpenAI use', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-history-'));
    await runApp('test/apps/blocked-sdk.mjs', { env: app({ CALLS: '3', COSTCTL_STATE_DIR: stateDir }) });
    const config = join(stateDir, 'costctl.config.json');
    // Room for one Anthropic call, not for the tokens OpenAI used.
    const openaiTokens = 3 * (usage.prompt_tokens + usage.completion_tokens);
    const rules = [{ name: 'anthropic_tokens', limit: Math.floor(openaiTokens * 0.6), unit: 'tokens', window: 'day', scope: { provider: 'anthropic' } }];
    writeFileSync(config, JSON.stringify({ rules }));
    const after = await runApp('test/apps/blocked-sdk.mjs', {
      env: app({ CALLS: '1', SDK: 'anthropic', COSTCTL_STATE_DIR: stateDir, COSTCTL_CONFIG: config }),
    });
    expect(after.lines[0]).toMatchObject({ ok: true });
  });
});
