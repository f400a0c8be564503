// A fleet for the CLI's fleet-wide commands: two hosts (two processes, each
// with its own ledger directory) sharing one real redis-server, and the
// costctl CLI run as an operator on one of them.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClientType } from '@redis/client';
import { readLedger, type LedgerEntry } from '@costctl/otel';
import { type FakeBilling, type FakeProvider, startFakeBilling, startFakeProvider } from '@costctl/testkit';
import { startRedis, withRedisClient, type RedisServer } from './redis-server.js';
import { repoRoot, runApp } from './run-app.js';

export const ADMIN_KEY = 'sk-admin-FLEET-3b9d';
const cli = join(repoRoot, 'packages/cli/dist/main.js');

/** Runs `costctl …` as an operator would, without blocking this process (the fake servers live here). */
export function costctl(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', USER: 'ci', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export interface Host {
  env: Record<string, string>;
  /** What this host's ledger holds. */
  entries: LedgerEntry[];
}

export interface Fleet {
  /** Host A made 3 gpt-4o-mini calls for tenant acme. */
  a: Host;
  /** Host B made 2 gpt-4o calls for tenant globex. */
  b: Host;
  /** The key prefix both share. */
  prefix: string;
  redis: RedisServer;
  billing: FakeBilling;
  withRedis<T>(use: (client: RedisClientType) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts Redis, a fake provider and a fake billing server, runs the two
 * hosts' apps until every call's commit has reached Redis, and reads their ledgers.
 *
 * @example
 * const fleet = await startFleet();
 * await costctl(['report'], fleet.a.env);
 */
export async function startFleet(): Promise<Fleet> {
  const [provider, billing, redis]: [FakeProvider, FakeBilling, RedisServer] = await Promise.all([
    startFakeProvider(),
    startFakeBilling({ keys: { openai: ADMIN_KEY } }),
    startRedis(),
  ]);
  const prefix = 'fleet:';
  const withRedis = <T>(use: (client: RedisClientType) => Promise<T>): Promise<T> => withRedisClient(redis.url, use);
  const host = async (count: number, model: string, tenant: string): Promise<Host> => {
    const env = {
      COSTCTL_STORE: 'redis',
      COSTCTL_REDIS_URL: redis.url,
      COSTCTL_REDIS_KEY_PREFIX: prefix,
      COSTCTL_REDIS_TIMEOUT_MS: '2000',
      COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-host-')),
      COSTCTL_LABELS: 'tenant',
      // Every call is held by a rule, so its aggregates travel in its commit.
      COSTCTL_TOTAL_LIMIT_USD: '1000',
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      OPENAI_ADMIN_KEY: ADMIN_KEY,
      COSTCTL_OPENAI_ADMIN_URL: billing.openaiUrl,
    };
    // Stopped once no reservation is held and its calls are in the aggregates: every commit has reached Redis.
    let held = -1;
    const app = runApp('test/apps/tenant-calls.mjs', {
      env: { ...env, FAKE_PROVIDER_URL: provider.url, COUNT: String(count), MODEL: model, TENANT: tenant },
      until: () => held === 0,
    });
    const watch = withRedis(async (client) => {
      for (let polls = 0; polls < 500; polls++) {
        held = (await client.hLen(`${prefix}res`)) + (await client.zCard(`${prefix}leases`));
        const counted = Number((await client.hGet(`${prefix}a:total|label:tenant=${tenant}`, 'q')) ?? 0);
        if (held === 0 && counted === count) return;
        held = -1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await Promise.all([app, watch]);
    const entries: LedgerEntry[] = [];
    for await (const entry of readLedger(env.COSTCTL_STATE_DIR)) entries.push(entry);
    return { env, entries };
  };
  const [a, b] = await Promise.all([host(3, 'gpt-4o-mini', 'acme'), host(2, 'gpt-4o', 'globex')]);
  return {
    a,
    b,
    prefix,
    redis,
    billing,
    withRedis,
    stop: async () => {
      await Promise.all([provider.close(), billing.close(), redis.stop()]);
    },
  };
}

/** What a host's ledger says its calls cost, USD. */
export const cost = (entries: readonly LedgerEntry[]) => entries.reduce((sum, entry) => sum + (entry.cost_usd ?? 0), 0);
