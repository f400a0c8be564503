// A fleet sharing one Redis: real processes under `node --import
// @costctl/otel/register` with COSTCTL_STORE=redis, the costctl CLI, and a
// real redis-server started (and killed) by the test.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costctl, startLooper, stopLooper, until, type Looper } from './helpers/looper.js';
import { selfSignedCert, startRedis, type RedisServer } from './helpers/redis-server.js';
import { repoRoot, runApp, runToExit } from './helpers/run-app.js';

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

/** The environment of a process of one fleet: its own key prefix, so tests never share state. */
function fleet(extra: Record<string, string> = {}): Record<string, string> {
  return {
    COSTCTL_STORE: 'redis',
    COSTCTL_REDIS_URL: redis.url,
    COSTCTL_REDIS_KEY_PREFIX: `fleet${++prefixes}:`,
    // Generous: a loaded CI machine must not make Redis look unreachable.
    COSTCTL_REDIS_TIMEOUT_MS: '2000',
    COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-fleet-')),
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
    ...extra,
  };
}

const connect = () => createClient({ url: redis.url });

async function withRedis<T>(use: (client: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  const client = connect();
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

const streamed = {
  model: 'gpt-4o-mini',
  max_tokens: 24,
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Stream me something short.' }],
};

function costOf(body: Record<string, unknown>): number {
  const usage = expectedUsage('openai.chat', body);
  return calcPrice({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }, responseModel('openai.chat', String(body.model)), {
    providerId: 'openai',
  })!.total_price;
}

describe('a fleet on one Redis', () => {
  // Regression: the store's two Redis connections kept a finished app alive, so it never exited and its last export never ran.
  it('lets an app that has finished exit by itself, its spend committed', async () => {
    const env = fleet({ COSTCTL_DAILY_LIMIT_USD: '1', OTEL_METRICS_EXPORTER: 'none' });
    const { code, stdout } = await runToExit('test/apps/one-call.mjs', env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ status: 200 });
    const spent = await withRedis(async (client) => {
      const keys = await client.keys(`${env.COSTCTL_REDIS_KEY_PREFIX}c:*`);
      return keys.length === 0 ? 0 : Number(await client.hGet(keys[0]!, 's'));
    });
    expect(spent).toBeGreaterThan(0);
  });

  it('4 processes × 250 concurrent calls against one limit: never past it, no reservation leaked', async () => {
    const each = costOf(streamed);
    const limit = 100.5 * each;
    const env = fleet({ CALLS: '250', COSTCTL_DAILY_LIMIT_USD: String(limit) });
    // A process is stopped once no reservation is held: its calls are done, so its commits were written
    // (stopped earlier, on a loaded machine, it could exit with commits still on their way).
    let held = -1;
    let stopped = false;
    const watch = withRedis(async (client) => {
      while (!stopped) {
        held = await client.hLen(`${env.COSTCTL_REDIS_KEY_PREFIX}res`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    const runs = await Promise.all([1, 2, 3, 4].map(() => runApp('test/apps/concurrent.mjs', { env, until: () => held === 0 })));
    stopped = true;
    await watch;
    const ok = runs.reduce((total, run) => total + (run.lines[0] as { ok: number }).ok, 0);
    const blocked = runs.reduce((total, run) => total + (run.lines[0] as { blocked: number }).blocked, 0);
    expect(ok + blocked).toBe(1000);
    // Each call reserves exactly what it costs (its max_tokens is what the fake provider answers): 100 fit,
    // and at least 90 of them go through (a lease granted after its process's last call holds room until it is given back).
    expect(ok).toBeLessThanOrEqual(100);
    expect(ok).toBeGreaterThanOrEqual(90);
    expect(provider.requests).toHaveLength(ok);

    const prefix = env.COSTCTL_REDIS_KEY_PREFIX!;
    const status = JSON.parse(costctl(['status', '--json'], env).stdout) as { rules: { name: string; spent: number; reserved: number }[] };
    expect(status.rules[0]!.name).toBe('daily_usd');
    expect(status.rules[0]!.spent).toBeLessThanOrEqual(limit);
    expect(status.rules[0]!.spent).toBeCloseTo(ok * each, 12);
    expect(status.rules[0]!.reserved).toBeCloseTo(0, 12);
    await withRedis(async (client) => {
      expect(await client.hLen(`${prefix}res`)).toBe(0);
      expect(await client.zCard(`${prefix}leases`)).toBe(0);
    });
  });

  it('a gate tripped with the CLI blocks every process of the fleet; a reset lets them through; both audited in Redis', async () => {
    const env = fleet();
    const loopers = [startLooper(provider.url, env), startLooper(provider.url, env), startLooper(provider.url, env)];
    try {
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'ok'), 'every process to make a call');
      expect(costctl(['gate', 'trip', '--reason', 'leaked key', '--actor', 'alice'], env).status).toBe(0);
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'blocked:gate'), 'every process to be blocked');
      const status = costctl(['status'], env);
      expect(status.status).toBe(3);
      expect(status.stdout).toMatch(/^gate: TRIPPED since .* by alice: leaked key/);
      const during = provider.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(provider.requests.length).toBe(during);

      expect(costctl(['gate', 'reset', '--reason', 'key rotated', '--actor', 'bob'], env).status).toBe(0);
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'ok'), 'every process to flow again');
      const audit = await withRedis((client) => client.xRange(`${env.COSTCTL_REDIS_KEY_PREFIX}audit`, '-', '+'));
      expect(audit!.map(({ message }) => [message['action'], message['actor'], message['reason']])).toEqual([
        ['trip', 'alice', 'leaked key'],
        ['reset', 'bob', 'key rotated'],
      ]);
    } finally {
      await Promise.all(loopers.map(stopLooper));
    }
  });

  it('frees the reservations of a process killed with SIGKILL once their lease ends', async () => {
    const slow = await startFakeProvider({ latencyMs: 30_000 });
    const dir = mkdtempSync(join(tmpdir(), 'costctl-fleet-lease-'));
    const config = join(dir, 'costctl.config.json');
    writeFileSync(config, JSON.stringify({ reservationLeaseMillis: 8_000, rules: [{ name: 'calls', limit: 1000, unit: 'requests', window: 'day' }] }));
    const env = fleet({ COSTCTL_CONFIG: config, FAKE_PROVIDER_URL: slow.url, COSTCTL_ENDPOINTS: `openai=${slow.url}/openai`, CALLS: '20' });
    const child = spawn(process.execPath, ['--import', '@costctl/otel/register', 'test/apps/concurrent.mjs'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', OTEL_METRICS_EXPORTER: 'none', ...env },
      stdio: 'ignore',
    });
    try {
      const reserved = () => JSON.parse(costctl(['status', '--json'], env).stdout).rules[0].reserved as number;
      await until(() => slow.requests.length === 20, 'the 20 calls to be in flight');
      // The calls in flight, and what is left of the process's lease (given back within a few renewals).
      expect(reserved()).toBeGreaterThanOrEqual(20);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // Still held right after the kill: nobody settled them.
      expect(reserved()).toBeGreaterThanOrEqual(20);
      await new Promise((resolve) => setTimeout(resolve, 8_100));
      // The next store operation of any process lets expired leases go; that process is stopped once it has given its own back.
      const held = () => withRedis((client) => client.hLen(`${env.COSTCTL_REDIS_KEY_PREFIX}res`));
      let holding = -1;
      const watch = setInterval(() => void held().then((n) => (holding = n)), 50);
      const after = await runApp('test/apps/concurrent.mjs', {
        env: { ...env, FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`, CALLS: '1' },
        until: () => holding === 0,
      }).finally(() => clearInterval(watch));
      expect(after.lines[0]).toEqual({ ok: 1, blocked: 0 });
      expect(reserved()).toBe(0);
      expect(JSON.parse(costctl(['status', '--json'], env).stdout).rules[0].spent).toBe(1);
    } finally {
      child.kill('SIGKILL');
      await slow.close();
    }
  });

  it('fails closed while Redis is down, naming the cause, and recovers by itself when it returns', async () => {
    const own = await startRedis();
    const env = { ...fleet(), COSTCTL_REDIS_URL: own.url, EVERY_MS: '10' };
    const looper: Looper = startLooper(provider.url, env);
    try {
      await until(() => looper.states.at(-1)?.state === 'ok', 'a call');
      await own.kill();
      await until(() => looper.states.at(-1)?.state === 'blocked:gate', 'calls to be blocked while Redis is down');
      const during = provider.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(provider.requests.length).toBe(during);
      await own.restart();
      await until(() => looper.states.at(-1)?.state === 'ok', 'calls to flow once Redis is back');
    } finally {
      await stopLooper(looper);
      await own.stop();
    }
  });

  it('speaks TLS (rediss://) with a password, trusting the CA the operator gives Node', async () => {
    const { certFile, keyFile } = selfSignedCert('costctl-fleet-tls-');
    const secure = await startRedis({ tls: { certFile, keyFile }, password: 'tls pass' });
    try {
      expect(secure.url).toMatch(/^rediss:\/\//);
      const env = { ...fleet(), COSTCTL_REDIS_URL: secure.url, NODE_EXTRA_CA_CERTS: certFile };
      expect(costctl(['gate', 'trip', '--reason', 'over TLS', '--actor', 'carol'], env).status).toBe(0);
      const status = costctl(['status', '--json'], env);
      expect(JSON.parse(status.stdout).gate).toMatchObject({ tripped: true, reason: 'over TLS', actor: 'carol' });
      // Without the CA, the certificate is refused: status cannot read the gate, and says why instead of showing one.
      const untrusted = costctl(['status'], { ...env, NODE_EXTRA_CA_CERTS: '' });
      expect(untrusted.status).toBe(5);
      expect(untrusted.stderr).toMatch(/^costctl: could not read the gate: the Redis store at rediss:\/\/127\.0\.0\.1:\d+ did not answer \(.*certificate.*\)/i);
      expect(untrusted.stdout + untrusted.stderr).not.toContain('tls pass');
    } finally {
      await secure.stop();
    }
  });

  it('stops start-up with one readable message when the Redis URL is missing or bad', () => {
    const missing = costctl(['status'], { COSTCTL_STORE: 'redis' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/COSTCTL_REDIS_URL="": expected a redis:\/\/ or rediss:\/\/ URL/);
    const bad = costctl(['status'], { COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: 'http://user:hunter2@example.com' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/COSTCTL_REDIS_URL="http:\/\/user:\*\*\*@example.com"/);
    expect(bad.stderr).not.toContain('hunter2');
  });
});
