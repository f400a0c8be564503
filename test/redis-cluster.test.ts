// A fleet on a Redis Cluster: three masters with a replica each, started by
// the test from Debian's redis-server; the Redis store against it in this
// process and in real processes under `node --import @costctl/otel/register`
// with COSTCTL_REDIS_CLUSTER=true, and a master killed mid-run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CounterEntry, GateState, Logger } from '@costctl/otel/store';
import { RedisStore, type RedisStoreOptions } from '@costctl/store-redis';
import { startFakeProvider, storeSuite, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costctl, startLooper, stopLooper, until } from './helpers/looper.js';
import { startRedisCluster, type ClusterNode, type RedisCluster } from './helpers/redis-cluster.js';
import { selfSignedCert } from './helpers/redis-server.js';
import { runApp, runToExit } from './helpers/run-app.js';

let cluster: RedisCluster;
let provider: FakeProvider;
let prefixes = 0;

beforeAll(async () => {
  [cluster, provider] = await Promise.all([startRedisCluster(), startFakeProvider({ chunkDelayMs: 2 })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([cluster?.stop(), provider?.close()]);
});
beforeEach(() => provider.reset());

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const now = Date.UTC(2026, 10, 23, 12);
const entry = (amount: number, limit?: number): CounterEntry => ({
  counter: 'daily|day:2026-11-23',
  window: ['daily|day:2026-11-23'],
  amount,
  limit,
  expiresAt: now + 3_600_000,
});

/** A store on the cluster under a prefix of its own; a generous timeout, so a loaded machine does not look like an outage. */
function open(options: Partial<RedisStoreOptions> = {}): RedisStore {
  return new RedisStore({ url: cluster.url, cluster: true, keyPrefix: `cl${++prefixes}:`, logger: quiet, timeoutMillis: 2_000, ...options });
}

/** The environment of a process of one fleet on the cluster. */
function fleet(extra: Record<string, string> = {}): Record<string, string> {
  return {
    COSTCTL_STORE: 'redis',
    COSTCTL_REDIS_URL: cluster.url,
    COSTCTL_REDIS_CLUSTER: 'true',
    COSTCTL_REDIS_KEY_PREFIX: `clfleet${++prefixes}:`,
    COSTCTL_REDIS_TIMEOUT_MS: '2000',
    COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-cluster-')),
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
    ...extra,
  };
}

/** Waits until the store's gate, as listeners hear it, satisfies `check`. */
async function gateBecomes(store: RedisStore, check: (state: GateState) => boolean, within = 20_000): Promise<GateState> {
  const deadline = Date.now() + within;
  for (;;) {
    const state = await store.gate();
    if (check(state)) return state;
    if (Date.now() > deadline) throw new Error(`gate never became as expected; last ${JSON.stringify(state)}`);
    await sleep(20);
  }
}

describe('RedisStore on a Redis Cluster: the store contract', () => {
  storeSuite(it, () => open(), { capabilities: { seed: true, aggregates: true, leases: true } });
});

describe('a fleet on a Redis Cluster', () => {
  it('puts every key of a prefix in one slot, and spreads prefixes over the masters', async () => {
    const masters = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const store = open();
      try {
        // A reservation, a commit with aggregates and a seed: the scripts naming the most keys at once.
        const reserved = await store.reserve([entry(1, 10), { ...entry(1, 10), counter: 'hourly|h', window: ['hourly|h'] }], 60_000, now);
        expect(reserved.ok).toBe(true);
        if (!reserved.ok) return;
        const windows = [{ prefix: 'day:2026-11-23|', expiresAt: now + 3_600_000 }];
        await store.commit(reserved.id, [{ counter: entry(0).counter, amount: 1, expiresAt: now + 3_600_000 }], now, [
          { windows, dimensions: ['*', 'provider=openai'], usd: 1, tokens: 10, requests: 1 },
        ]);
        await store.seed!([{ seen: 'new', counter: 'new|day', expiresAt: now + 3_600_000, unit: 'usd', from: [['day:2026-11-23|*']] }], now);
        expect(await store.read(['new|day'], now)).toEqual({ spent: 1, reserved: 0 });
      } finally {
        await store.close();
      }
      masters.add((await cluster.masterOf(`{cl${prefixes}:}gate`)).port);
    }
    expect(masters.size).toBe(3);
  });

  // Regression: the cluster client's connections kept a finished app alive, so it never exited.
  it('lets an app that has finished exit by itself, its spend committed', async () => {
    const env = fleet({ COSTCTL_DAILY_LIMIT_USD: '1', OTEL_METRICS_EXPORTER: 'none' });
    const { code, stdout } = await runToExit('test/apps/one-call.mjs', env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ status: 200 });
    const status = JSON.parse(costctl(['status', '--json'], env).stdout) as { rules: { spent: number }[] };
    expect(status.rules[0]!.spent).toBeGreaterThan(0);
  });

  it('stops start-up with one readable message when COSTCTL_REDIS_CLUSTER is not true or false', () => {
    const bad = costctl(['status'], { ...fleet(), COSTCTL_REDIS_CLUSTER: 'yes' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/COSTCTL_REDIS_CLUSTER="yes": expected true when COSTCTL_REDIS_URL names a Redis Cluster node, else false/);
  });

  it('tells a store in another connection of a gate change through sharded pub/sub, at once', async () => {
    const a = open({ gateRefreshMillis: 60_000 });
    const b = open({ keyPrefix: `cl${prefixes}:`, gateRefreshMillis: 60_000 });
    try {
      expect((await b.gate()).tripped).toBe(false);
      const heard = new Promise<GateState>((resolve) => b.onGateChange(resolve));
      await a.changeGate({ action: 'trip', reason: 'runaway agent', actor: 'alice' }, Date.now());
      // Heard within the test's timeout, far below the 60 s periodic read: it came by pub/sub.
      expect(await heard).toMatchObject({ tripped: true, reason: 'runaway agent', actor: 'alice' });
      expect((await b.audit()).map((e) => [e.action, e.actor])).toEqual([['trip', 'alice']]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('4 processes × 60 concurrent calls against one limit: never past it, no reservation leaked', async () => {
    const env = fleet({ CALLS: '60' });
    const config = join(env.COSTCTL_STATE_DIR!, 'costctl.config.json');
    writeFileSync(config, JSON.stringify({ rules: [{ name: 'calls', limit: 25, unit: 'requests', window: 'day' }] }));
    env.COSTCTL_CONFIG = config;
    const prefix = `{${env.COSTCTL_REDIS_KEY_PREFIX}}`;
    const master = await cluster.masterOf(`${prefix}res`);
    // A process is stopped once no reservation is held: its calls are done, so its commits were written.
    let held = -1;
    let stopped = false;
    const watch = (async () => {
      while (!stopped) {
        held = Number((await cluster.cli(master, 'hlen', `${prefix}res`)).trim());
        await sleep(20);
      }
    })();
    const runs = await Promise.all([1, 2, 3, 4].map(() => runApp('test/apps/concurrent.mjs', { env, until: () => held === 0 })));
    stopped = true;
    await watch;
    const lines = runs.map((run) => run.lines[0] as { ok: number; blocked: number });
    expect(lines.reduce((total, line) => total + line.ok + line.blocked, 0)).toBe(240);
    expect(lines.reduce((total, line) => total + line.ok, 0)).toBe(25);
    expect(provider.requests).toHaveLength(25);
    const status = JSON.parse(costctl(['status', '--json'], env).stdout) as { rules: { name: string; spent: number; reserved: number }[] };
    expect(status.rules[0]).toMatchObject({ name: 'calls', spent: 25, reserved: 0 });
    expect((await cluster.cli(master, 'hlen', `${prefix}res`)).trim()).toBe('0');
    expect((await cluster.cli(master, 'zcard', `${prefix}leases`)).trim()).toBe('0');
  });

  it('a gate tripped with the CLI blocks every process; a reset lets them through', async () => {
    const env = fleet();
    const loopers = [startLooper(provider.url, env), startLooper(provider.url, env), startLooper(provider.url, env)];
    try {
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'ok'), 'every process to make a call');
      expect(costctl(['gate', 'trip', '--reason', 'leaked key', '--actor', 'alice'], env).status).toBe(0);
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'blocked:gate'), 'every process to be blocked');
      expect(costctl(['gate', 'reset', '--reason', 'key rotated', '--actor', 'bob'], env).status).toBe(0);
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'ok'), 'every process to flow again');
    } finally {
      await Promise.all(loopers.map(stopLooper));
    }
  });

  it('fails closed while the master of its slot is dead (every service, once the cluster counts it failed), and recovers by itself once its replica took over', async () => {
    const env = fleet({ EVERY_MS: '10' });
    const prefix = env.COSTCTL_REDIS_KEY_PREFIX!;
    const looper = startLooper(provider.url, env);
    const store = open({ keyPrefix: prefix, gateRefreshMillis: 50 });
    const listener = open({ keyPrefix: prefix, gateRefreshMillis: 60_000 });
    let other: RedisStore | undefined;
    try {
      await until(() => looper.states.at(-1)?.state === 'ok', 'a call');
      const spent = { counter: 'daily|day:2026-11-23', amount: 2.5, expiresAt: now + 3_600_000 };
      await store.adjust([spent], now);
      const master = await cluster.masterOf(`{${prefix}}gate`);
      const replica = await cluster.replicaOf(master);
      // A service whose prefix another master serves.
      for (let i = 0; other === undefined; i++) {
        if ((await cluster.masterOf(`{other${i}:}gate`)) !== master) other = open({ keyPrefix: `other${i}:`, gateRefreshMillis: 50 });
      }
      expect((await other.gate()).tripped).toBe(false);
      // Replication is asynchronous: the kill comes once the replica has what the master acknowledged.
      await replicated(master);
      // The replica is held still, so no failover can end the outage before the checks below.
      replica.pause();
      await master.kill();

      // Fails closed: the app's calls are blocked; a reservation, a trip and an adjustment are refused rather than claimed.
      await until(() => looper.states.at(-1)?.state === 'blocked:gate', 'calls to be blocked while the master is dead');
      // Noticed first: a command written just before the connection dropped may have run, and would be reported as undecided.
      expect(await gateBecomes(store, (s) => s.tripped)).toMatchObject({ actor: 'costctl', reason: expect.stringMatching(/^costctl store unreachable/) });
      expect(await store.reserve([entry(1, 10)], 60_000, now)).toEqual({ ok: false, index: 0, spent: Infinity });
      await expect(store.changeGate({ action: 'trip', reason: 'during the outage', actor: 'bob' }, now)).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        message: expect.stringMatching(/^the gate was NOT tripped/),
      });
      await expect(store.adjust([spent], now)).rejects.toMatchObject({ message: expect.stringMatching(/^the spend was NOT counted/) });
      // Once the cluster counts the master as failed, with Redis' default cluster-require-full-coverage, every slot refuses: other services too.
      expect(await gateBecomes(other, (s) => s.tripped)).toMatchObject({ actor: 'costctl', reason: expect.stringMatching(/CLUSTERDOWN/) });

      // Recovers without a restart: the replica is promoted, the client finds it, calls flow again.
      replica.resume();
      await until(() => looper.states.at(-1)?.state === 'ok', 'calls to flow once the replica took over');
      expect(await gateBecomes(store, (s) => !s.tripped)).toMatchObject({ tripped: false, actor: undefined });
      expect(await gateBecomes(other, (s) => !s.tripped)).toMatchObject({ tripped: false, actor: undefined });
      expect(await cluster.masterOf(`{${prefix}}gate`)).not.toBe(master);
      // What the dead master had acknowledged and replicated is still counted.
      expect(await store.read([spent.counter], now)).toEqual({ spent: 2.5, reserved: 0 });
      expect((await store.reserve([entry(1, 10)], 60_000, now)).ok).toBe(true);
      // The sharded subscription moved to the new master: a trip is heard without the periodic read.
      await gateBecomes(listener, (s) => !s.tripped);
      const heard = new Promise<GateState>((resolve) => listener.onGateChange((state) => state.actor === 'carol' && resolve(state)));
      await store.changeGate({ action: 'trip', reason: 'after the failover', actor: 'carol' }, now);
      expect(await heard).toMatchObject({ tripped: true, reason: 'after the failover' });
      await until(() => looper.states.at(-1)?.state === 'blocked:gate', 'the trip to reach the app');
      expect((await store.audit()).map((e) => e.actor)).toEqual(['carol']);

      // The killed node comes back as a replica of the new master: the cluster is whole again.
      await master.restart();
      await cluster.healthy();
    } finally {
      await stopLooper(looper);
      await Promise.all([store.close(), listener.close(), other?.close()]);
    }
  });
});

/** Waits until `master`'s replica has received everything the master wrote. */
async function replicated(master: ClusterNode): Promise<void> {
  for (;;) {
    const info = await cluster.cli(master, 'info', 'replication');
    const written = Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
    const received = Number(/slave0:.*offset=(\d+)/.exec(info)?.[1]);
    if (received >= written) return;
    await sleep(20);
  }
}

describe('a Redis Cluster behind TLS and a password', () => {
  let secure: RedisCluster;
  let certFile: string;
  beforeAll(async () => {
    const cert = selfSignedCert('costctl-cluster-tls-');
    certFile = cert.certFile;
    const { keyFile } = cert;
    secure = await startRedisCluster({ replicas: 0, password: 'cluster pass', tls: { certFile, keyFile } });
  }, 60_000);
  afterAll(async () => {
    await secure?.stop();
  });

  it("reaches every master with the URL's password over TLS, trusting the CA the operator gives Node", async () => {
    expect(secure.url).toMatch(/^rediss:\/\/:cluster%20pass@127\.0\.0\.1:\d+$/);
    // One prefix per master: the nodes the client discovered take the same password and TLS as the one named.
    const byMaster = new Map<number, string>();
    for (let i = 0; byMaster.size < 3; i++) byMaster.set((await secure.masterOf(`{tls${i}:}gate`)).port, `tls${i}:`);
    for (const prefix of byMaster.values()) {
      const env = {
        COSTCTL_STORE: 'redis',
        COSTCTL_REDIS_URL: secure.url,
        COSTCTL_REDIS_CLUSTER: 'true',
        COSTCTL_REDIS_KEY_PREFIX: prefix,
        NODE_EXTRA_CA_CERTS: certFile,
      };
      const tripped = costctl(['gate', 'trip', '--reason', `over TLS to ${prefix}`, '--actor', 'carol'], env);
      expect(tripped.status, tripped.stderr).toBe(0);
      expect(JSON.parse(costctl(['status', '--json'], env).stdout).gate).toMatchObject({ tripped: true, reason: `over TLS to ${prefix}` });
    }
    // Without the CA, the certificate is refused: status says why instead of showing a gate, and never the password.
    const untrusted = costctl(['status'], { COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: secure.url, COSTCTL_REDIS_CLUSTER: 'true' });
    expect(untrusted.status).toBe(5);
    expect(untrusted.stderr).toMatch(/^costctl: could not read the gate: the Redis store at rediss:\/\/127\.0\.0\.1:\d+ did not answer \(.*certificate.*\)/i);
    expect(untrusted.stdout + untrusted.stderr).not.toContain('cluster pass');
  });
});
