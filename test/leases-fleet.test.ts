// Admission against leases, across real processes under `node --import
// @costctl/otel/register`: on one file store (a host) and on one Redis (a
// fleet), the processes share one limit and never pass it, the leases strand
// no headroom, and far from the limit a call costs no store operation.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { createClient, type RedisClientType } from '@redis/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costctl } from './helpers/looper.js';
import { startRedis, withRedisClient, type RedisServer } from './helpers/redis-server.js';
import { runApp } from './helpers/run-app.js';
import { COMMIT, RENEW_LEASES, RESERVE } from '../packages/store-redis/src/scripts.js';

let provider: FakeProvider;
let redis: RedisServer;
let prefixes = 0;

beforeAll(async () => {
  [provider, redis] = await Promise.all([startFakeProvider({ chunkDelayMs: 2 }), startRedis()]);
});
afterAll(async () => {
  await Promise.all([provider?.close(), redis?.stop()]);
});
beforeEach(() => provider.reset());

const streamed = {
  model: 'gpt-4o-mini',
  max_tokens: 24,
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Stream me something short.' }],
};
/** What one call of test/apps/calls-in-flight.mjs costs: exactly its worst case (the fake provider answers max_tokens). */
const each = (() => {
  const usage = expectedUsage('openai.chat', streamed) as unknown as Record<string, number>;
  return calcPrice({ input_tokens: usage.prompt_tokens!, output_tokens: usage.completion_tokens! }, responseModel('openai.chat', streamed.model), {
    providerId: 'openai',
  })!.total_price;
})();

interface Store {
  env(): Record<string, string>;
  /** How many reservations (calls and leases) the store holds now. */
  held(env: Record<string, string>): Promise<number>;
}

const stores: [string, Store][] = [
  [
    'one file store',
    {
      env: () => ({ COSTCTL_STORE: 'file', COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-leases-')) }),
      async held(env) {
        const path = join(env.COSTCTL_STATE_DIR!, 'state.sqlite');
        // Not created yet: the processes are starting.
        if (!existsSync(path)) return -1;
        const db = new DatabaseSync(path, { readOnly: true });
        try {
          return Number(db.prepare('SELECT count(*) AS n FROM reservations').get()!.n);
        } catch {
          // Its schema is not written yet.
          return -1;
        } finally {
          db.close();
        }
      },
    },
  ],
  [
    'one Redis',
    {
      env: () => ({
        COSTCTL_STORE: 'redis',
        COSTCTL_REDIS_URL: redis.url,
        COSTCTL_REDIS_KEY_PREFIX: `leases${++prefixes}:`,
        // Generous: a loaded machine must not make Redis look unreachable.
        COSTCTL_REDIS_TIMEOUT_MS: '2000',
        COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-leases-')),
      }),
      held: (env) => withRedis((client) => client.hLen(`${env.COSTCTL_REDIS_KEY_PREFIX}res`)),
    },
  ],
];

const withRedis = <T>(use: (client: RedisClientType) => Promise<T>): Promise<T> => withRedisClient(redis.url, use);

/** Runs 4 processes of `CALLS` calls, `IN_FLIGHT` at a time each; each is stopped once the store holds nothing (its calls settled, its leases given back). */
async function fleetOf4(env: Record<string, string>, store: Store): Promise<{ ok: number; blocked: number }> {
  let held = -1;
  let stopped = false;
  const watch = (async () => {
    while (!stopped) {
      held = await store.held(env);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const runs = await Promise.all([1, 2, 3, 4].map(() => runApp('test/apps/calls-in-flight.mjs', { env, until: () => held === 0, scrape: false })));
    const lines = runs.map((run) => run.lines[0] as { ok: number; blocked: number });
    return { ok: lines.reduce((sum, line) => sum + line.ok, 0), blocked: lines.reduce((sum, line) => sum + line.blocked, 0) };
  } finally {
    stopped = true;
    await watch;
  }
}

function status(env: Record<string, string>) {
  return JSON.parse(costctl(['status', '--json'], env).stdout) as { rules: { name: string; spent: number; reserved: number }[] };
}

describe.each(stores)('leases on %s', (_name, store) => {
  it('4 processes × 250 calls, 32 in flight each, against one limit: never past it, at least 90 % of it used, nothing left held', async () => {
    const limit = 600.5 * each;
    const env = {
      ...store.env(),
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      OTEL_METRICS_EXPORTER: 'none',
      CALLS: '250',
      IN_FLIGHT: '32',
      COSTCTL_DAILY_LIMIT_USD: String(limit),
    };
    const { ok, blocked } = await fleetOf4(env, store);
    expect(ok + blocked).toBe(1000);
    expect(provider.requests).toHaveLength(ok);
    const [rule] = status(env).rules;
    expect(rule!.spent).toBeLessThanOrEqual(limit);
    expect(rule!.spent).toBeCloseTo(ok * each, 12);
    expect(rule!.spent).toBeGreaterThanOrEqual(0.9 * limit);
    // Nothing held: leases summed and let go in binary fractions leave at most a rounding error.
    expect(rule!.reserved).toBeCloseTo(0, 12);
    console.log(`${_name}: ${ok} of the 600 calls that fit went through (${((100 * ok * each) / limit).toFixed(1)} % of the limit), ${blocked} blocked`);
  });
});

describe('leases on one Redis, far from the limit', () => {
  it('4 processes × 250 calls, 32 in flight each: far fewer store operations than calls, and every cent committed', async () => {
    const env = {
      ...stores[1]![1].env(),
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      OTEL_METRICS_EXPORTER: 'none',
      CALLS: '250',
      IN_FLIGHT: '32',
      COSTCTL_DAILY_LIMIT_USD: '1000',
    };
    const sha = (script: string) => createHash('sha1').update(script).digest('hex');
    const names = new Map([
      [sha(RESERVE), 'reserve'],
      [sha(COMMIT), 'commit'],
      [sha(RENEW_LEASES), 'renew'],
    ]);
    const counts: Record<string, number> = { reserve: 0, commit: 0, aggregates: 0, renew: 0 };
    const monitor = createClient({ url: redis.url });
    await monitor.connect();
    const prefix = (env as Record<string, string>).COSTCTL_REDIS_KEY_PREFIX;
    await monitor.monitor((line: string) => {
      const script = /"evalsha" "([0-9a-f]{40})"/i.exec(line)?.[1];
      const name = script === undefined ? undefined : names.get(script);
      if (name === undefined || !line.includes(`"${prefix}`)) return;
      // The window aggregates of calls no reservation carried, written in batches, are commits of no call.
      counts[name === 'commit' && line.includes('\\"id\\":\\"aggregates\\"') ? 'aggregates' : name]!++;
    });
    let result: { ok: number; blocked: number };
    try {
      result = await fleetOf4(env, stores[1]![1]);
    } finally {
      await monitor.close();
    }
    expect(result).toEqual({ ok: 1000, blocked: 0 });
    console.log(
      `one Redis, far from the limit: 1000 calls, ${counts.reserve} reservations, ${counts.commit} commits, ${counts.renew} lease renewals, ${counts.aggregates} aggregate batches`,
    );
    // Only calls of a burst the first leases of a process did not cover are reserved (and committed) one by one.
    expect(counts.reserve).toBeLessThan(1000 / 10);
    expect(counts.commit).toBe(counts.reserve);
    // Renewals and aggregate batches follow the clock (every 100 ms, and before each evaluation of the rules), not the calls.
    expect(counts.renew! + counts.aggregates!).toBeLessThan(1000 / 2);
    const [rule] = status(env).rules;
    expect(rule!.spent).toBeCloseTo(1000 * each, 12);
    expect(rule!.reserved).toBeCloseTo(0, 12);
  });
});
