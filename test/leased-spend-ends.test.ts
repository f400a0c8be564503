// What an app's calls spent against budget leases is in the store when it
// dies by SIGTERM or SIGINT without shutdown(): a process started next, or
// `costctl status`, counts it, as it counts the ledger's calls.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openState, readLedger } from '@costctl/otel';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './helpers/redis-server.js';
import { repoRoot } from './helpers/run-app.js';

let provider: FakeProvider;
let redis: RedisServer;
let prefixes = 0;
beforeAll(async () => {
  [provider, redis] = await Promise.all([startFakeProvider(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([provider?.close(), redis?.stop()]);
});

/** The environment of an app with a daily dollar rule, on the store `store` names: leased admission, as start() sets it up. */
function appEnv(store: 'file' | 'redis'): Record<string, string> {
  const stateDir = mkdtempSync(join(tmpdir(), 'costctl-leased-ends-'));
  return {
    PATH: process.env.PATH ?? '',
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
    COSTCTL_STATE_DIR: stateDir,
    COSTCTL_DAILY_LIMIT_USD: '100',
    OTEL_METRICS_EXPORTER: 'none',
    COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0',
    ...(store === 'redis'
      ? { COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: redis.url, COSTCTL_REDIS_KEY_PREFIX: `ends${++prefixes}:`, COSTCTL_REDIS_TIMEOUT_MS: '2000' }
      : {}),
  };
}

/**
 * test/apps/ledger-ends.mjs under costctl, ending as `end` says; with
 * `signal`, sent that signal once it printed `{"done":true}`.
 */
function run(
  env: Record<string, string>,
  end: string,
  signal?: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', '@costctl/otel/register', 'test/apps/ledger-ends.mjs'], {
    cwd: repoRoot,
    env: { ...env, END: end, CALLS: '5', FAKE_PROVIDER_URL: provider.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (signal !== undefined && chunk.includes('"done":true')) child.kill(signal);
  });
  return new Promise((resolve) => child.once('exit', (code, ended) => resolve({ code, signal: ended, stderr })));
}

/** What the ledger says the app's calls cost, and what the store holds for its daily rule and its window aggregates. */
async function spendOf(env: Record<string, string>) {
  let ledgerUsd = 0;
  for await (const entry of readLedger(env.COSTCTL_STATE_DIR!)) ledgerUsd += entry.cost_usd ?? 0;
  const state = await openState({ env });
  try {
    const [daily] = await state.rules();
    const [total] = await state.readAggregates(['total|*']);
    return { ledgerUsd, daily, total };
  } finally {
    await state.close();
  }
}

describe.each(['file', 'redis'] as const)('an app on the %s store that dies by a signal', (store) => {
  it.each(['SIGTERM', 'SIGINT'] as const)('has what its leased calls spent in the store after %s', async (signal) => {
    const env = appEnv(store);
    expect(await run(env, `self:${signal}`)).toEqual({ code: null, signal, stderr: '' });
    const { ledgerUsd, daily, total } = await spendOf(env);
    expect(ledgerUsd).toBeGreaterThan(0);
    expect(daily).toMatchObject({ spent: expect.closeTo(ledgerUsd, 12), reserved: 0 });
    // The calls' window aggregates too: what a rule added later is seeded from.
    expect(total).toMatchObject({ usd: expect.closeTo(ledgerUsd, 12), requests: 5 });
  });
});

describe('an app on the file store with its own SIGTERM handler', () => {
  it('decides how it ends, and what its leased calls spent is in the store when it exits', async () => {
    const env = appEnv('file');
    expect(await run(env, 'handle:SIGTERM', 'SIGTERM')).toEqual({ code: 7, signal: null, stderr: '' });
    const { ledgerUsd, daily } = await spendOf(env);
    expect(daily).toMatchObject({ spent: expect.closeTo(ledgerUsd, 12), reserved: 0 });
  });
});
