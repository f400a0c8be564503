import type { CounterEntry, GateState, Logger } from '@costctl/otel/store';
import { storeSuite } from '@costctl/testkit';
import { createClient } from '@redis/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetRule } from '../../otel/src/budget/rules.js';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server.js';
import { COUNTER_GRACE_MS } from './scripts.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

let redis: RedisServer;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis({ password: 's3cret pass' });
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * A store on the shared server, under a key prefix of its own so cases never
 * see each other's keys. A generous timeout: a loaded test machine must not
 * make Redis look unreachable, except where a test says so.
 */
function open(options: Partial<RedisStoreOptions> = {}): RedisStore {
  return new RedisStore({ url: redis.url, keyPrefix: `t${++prefixes}:`, logger: quiet, timeoutMillis: 2_000, ...options });
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const now = Date.UTC(2026, 10, 23, 12);
const entry = (amount: number, limit?: number): CounterEntry => ({
  counter: 'daily|day:2026-11-23',
  window: ['daily|day:2026-11-23'],
  amount,
  limit,
  expiresAt: now + 3_600_000,
});

describe('RedisStore: the store contract', () => {
  storeSuite(it, () => open(), { capabilities: { seed: true, aggregates: true, leases: true } });
});

describe('RedisStore', () => {
  it('keeps stores with different key prefixes apart, and shares one prefix between stores', async () => {
    const a = open({ keyPrefix: 'svc-a:' });
    const b = open({ keyPrefix: 'svc-b:' });
    const a2 = open({ keyPrefix: 'svc-a:' });
    try {
      await a.commit('none', [{ counter: 'daily|day:2026-11-23', amount: 2.5, expiresAt: now + 3_600_000 }], now);
      expect(await a2.read(entry(0).window, now)).toEqual({ spent: 2.5, reserved: 0 });
      expect(await b.read(entry(0).window, now)).toEqual({ spent: 0, reserved: 0 });
    } finally {
      await Promise.all([a.close(), b.close(), a2.close()]);
    }
  });

  it('adds up decimal amounts without binary noise', async () => {
    const store = open();
    try {
      for (let i = 0; i < 10; i++) await store.commit('none', [{ counter: 'c', amount: 0.1, expiresAt: now + 1000 }], now);
      expect((await store.read(['c'], now)).spent).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('lets a window counter expire by itself a grace period after its window ends', async () => {
    const store = open({ keyPrefix: 'ttl:' });
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      await store.commit('none', [{ counter: 'hour|h1', amount: 1, expiresAt: now + 60_000 }], now);
      await store.commit('none', [{ counter: 'all|total', amount: 1, expiresAt: Infinity }], now);
      const ttl = await client.pTTL('ttl:c:hour|h1');
      expect(ttl).toBeGreaterThan(60_000 + COUNTER_GRACE_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(60_000 + COUNTER_GRACE_MS);
      expect(await client.pTTL('ttl:c:all|total')).toBe(-1);
    } finally {
      await client.close();
      await store.close();
    }
  });

  it.each([
    ['a calendar day in Asia/Tokyo', 'day', 'Asia/Tokyo', Date.UTC(2026, 10, 23, 14, 59, 59), Date.UTC(2026, 10, 23, 15)],
    ['a rolling 15-minute window', 'rolling:15m', 'UTC', Date.UTC(2026, 10, 23, 12), Date.UTC(2026, 10, 23, 12, 15)],
  ])('rolls %s over by itself: the next window starts empty', async (_, window, timeZone, before, after) => {
    const store = open();
    const rule = new BudgetRule({ name: 'r', limit: 2, unit: 'requests', window, scope: {}, warnAt: 0.7, criticalAt: 0.9, action: 'block' }, timeZone);
    try {
      for (const at of [before - 2, before - 1]) expect((await store.reserve([rule.entry(1, at)], 60_000, at)).ok).toBe(true);
      expect((await store.reserve([rule.entry(1, before)], 60_000, before)).ok).toBe(false);
      expect((await store.reserve([rule.entry(1, after)], 60_000, after)).ok).toBe(true);
      expect(await store.read(rule.entry(0, after).window, after)).toEqual({ spent: 0, reserved: 1 });
    } finally {
      await store.close();
    }
  });

  it('frees the reservations of a process that never settled them once their lease ends, in bounded batches', async () => {
    const store = open();
    try {
      for (let i = 0; i < 100; i++) expect((await store.reserve([entry(1, 1000)], 1_000, now)).ok).toBe(true);
      expect(await store.read(entry(0).window, now)).toEqual({ spent: 0, reserved: 100 });
      await store.reserve([entry(1, 1000)], 60_000, now + 1_000);
      await store.reserve([entry(1, 1000)], 60_000, now + 1_000);
      expect(await store.read(entry(0).window, now + 1_000)).toEqual({ spent: 0, reserved: 2 });
    } finally {
      await store.close();
    }
  });

  it('tells a store in another connection of a gate change through pub/sub, at once', async () => {
    const a = open({ keyPrefix: 'gate-pubsub:', gateRefreshMillis: 60_000 });
    const b = open({ keyPrefix: 'gate-pubsub:', gateRefreshMillis: 60_000 });
    try {
      expect((await b.gate()).tripped).toBe(false);
      const heard = new Promise<GateState>((resolve) => b.onGateChange(resolve));
      await a.changeGate({ action: 'trip', reason: 'runaway agent', actor: 'alice' }, Date.now());
      // Heard within the test's timeout, far below the 60 s periodic read: it came by pub/sub.
      expect(await heard).toMatchObject({ tripped: true, reason: 'runaway agent', actor: 'alice' });
      expect((await b.audit()).map((e) => [e.action, e.actor, e.wasTripped])).toEqual([['trip', 'alice', false]]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('finds a gate change it missed by its periodic read', async () => {
    const store = open({ keyPrefix: 'gate-poll:', gateRefreshMillis: 50 });
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      expect((await store.gate()).tripped).toBe(false);
      const heard = new Promise<GateState>((resolve) => store.onGateChange(resolve));
      // Written behind the store's back: no message is published.
      await client.hSet('gate-poll:gate', { tripped: '1', reason: 'set by hand', actor: 'ops', since: String(now) });
      expect(await heard).toEqual({ tripped: true, reason: 'set by hand', actor: 'ops', since: now });
    } finally {
      await client.close();
      await store.close();
    }
  });

  it('refuses a wrong password with the gate failed closed, naming the cause', async () => {
    const errors: string[] = [];
    const store = new RedisStore({
      url: redis.url.replace('s3cret%20pass', 'wrong'),
      keyPrefix: 'auth:',
      logger: { ...quiet, error: (message) => errors.push(message) },
    });
    try {
      const gate = await store.gate();
      expect(gate.tripped).toBe(true);
      expect(gate.actor).toBe('costctl');
      expect(gate.reason).toMatch(/^costctl store unreachable: /);
      expect(errors.join('\n')).toMatch(/cannot reach its Redis store/);
      expect(errors.join('\n')).not.toContain('s3cret');
      expect(await store.reserve([entry(1, 10)], 60_000, now)).toEqual({ ok: false, index: 0, spent: Infinity });
    } finally {
      await store.close();
    }
  });
});

describe('RedisStore when Redis fails', () => {
  let own: RedisServer;
  beforeAll(async () => {
    own = await startRedis();
  });
  afterAll(async () => {
    await own?.stop();
  });

  /** Waits until the store's gate, as listeners hear it, satisfies `check`. */
  async function gateBecomes(store: RedisStore, check: (state: GateState) => boolean, within = 10_000): Promise<GateState> {
    const deadline = Date.now() + within;
    for (;;) {
      const state = await store.gate();
      if (check(state)) return state;
      if (Date.now() > deadline) throw new Error(`gate never became as expected; last ${JSON.stringify(state)}`);
      await sleep(20);
    }
  }

  it('fails closed at once while Redis is down, and recovers by itself, its script cache reloaded', async () => {
    const store = new RedisStore({ url: own.url, keyPrefix: 'down:', logger: quiet, gateRefreshMillis: 50, timeoutMillis: 2_000 });
    try {
      expect((await store.reserve([entry(1, 10)], 60_000, now)).ok).toBe(true);
      expect(store.reachable()).toBe(true);
      await own.kill();
      const refused = await store.reserve([entry(1, 10)], 60_000, now);
      expect(refused).toEqual({ ok: false, index: 0, spent: Infinity });
      expect(store.reachable()).toBe(false);
      expect((await gateBecomes(store, (s) => s.tripped)).reason).toMatch(/^costctl store unreachable/);

      await own.restart();
      expect(await gateBecomes(store, (s) => !s.tripped)).toMatchObject({ tripped: false, actor: undefined });
      expect(store.reachable()).toBe(true);
      // The restarted Redis is empty, scripts included: they are loaded again.
      expect((await store.reserve([entry(1, 10)], 60_000, now)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('rejects a trip, an audit read and an adjustment while Redis is down, instead of answering its fail-closed state', async () => {
    const store = new RedisStore({ url: own.url, keyPrefix: 'trip-down:', logger: quiet, gateRefreshMillis: 60_000, timeoutMillis: 2_000 });
    try {
      await store.changeGate({ action: 'trip', reason: 'first', actor: 'alice' }, now);
      await store.changeGate({ action: 'reset', reason: 'second', actor: 'alice' }, now + 1);
      await own.kill();
      // Noticed first: a command written just before the close is noticed may have run, and is reported as undecided.
      await gateBecomes(store, (s) => s.tripped);
      // Answering the fail-closed state instead would read as a trip the fleet keeps once Redis is back.
      await expect(store.changeGate({ action: 'trip', reason: 'runaway loop', actor: 'bob' }, now + 2)).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        where: own.url,
        message: expect.stringMatching(
          /^the gate was NOT tripped: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer \(.+\); check that Redis is running/,
        ),
      });
      await expect(store.audit()).rejects.toMatchObject({ code: 'COSTCTL_STORE_UNAVAILABLE', message: expect.stringMatching(/^could not read the audit log/) });
      await expect(store.adjust([{ counter: 'c', amount: 1, expiresAt: now + 1000 }], now)).rejects.toMatchObject({
        message: expect.stringMatching(/^the spend was NOT counted/),
      });
    } finally {
      await own.restart();
      await store.close();
    }
  });

  it('keeps a gate change Redis refuses out of the gate and the audit log, and says it was not made', async () => {
    const store = new RedisStore({ url: own.url, keyPrefix: 'refused:', logger: quiet, timeoutMillis: 2_000, gateRefreshMillis: 60_000 });
    const admin = createClient({ url: own.url });
    await admin.connect();
    try {
      await store.changeGate({ action: 'trip', reason: 'first', actor: 'alice' }, now);
      // Out of memory, Redis refuses every write, and a script's first write aborts it whole.
      await admin.configSet('maxmemory', '1');
      await expect(store.changeGate({ action: 'reset', reason: 'second', actor: 'bob' }, now + 1)).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        message: expect.stringMatching(
          /^the gate was NOT reset: the Redis store at redis:\/\/127\.0\.0\.1:\d+ refused it \(OOM command not allowed.*\); fix what Redis names/,
        ),
      });
      await admin.configSet('maxmemory', '0');
      expect((await store.audit()).map((e) => [e.action, e.reason])).toEqual([['trip', 'first']]);
      expect(await gateBecomes(store, (s) => s.actor !== 'costctl')).toMatchObject({ tripped: true, reason: 'first', actor: 'alice' });
    } finally {
      await admin.configSet('maxmemory', '0');
      await admin.close();
      await store.close();
    }
  });

  it('says a gate change Redis took but did not answer in time may or may not have happened: it can still apply', async () => {
    const store = new RedisStore({ url: own.url, keyPrefix: 'hung-trip:', logger: quiet, timeoutMillis: 200, gateRefreshMillis: 60_000 });
    const reader = new RedisStore({ url: own.url, keyPrefix: 'hung-trip:', logger: quiet, timeoutMillis: 2_000, gateRefreshMillis: 60_000 });
    try {
      // Loads the script, so the trip below is one command Redis has received when it stops.
      await store.changeGate({ action: 'reset', reason: 'ready', actor: 'alice' }, now);
      own.pause();
      await expect(store.changeGate({ action: 'trip', reason: 'runaway loop', actor: 'bob' }, now + 1)).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        message: expect.stringMatching(
          /^the gate may or may not be tripped: the Redis store at redis:\/\/127\.0\.0\.1:\d+ was sent the change but did not answer within 200 ms; read the gate again/,
        ),
      });
      own.resume();
      // Redis runs what it received once it goes on: "NOT tripped" would have been false.
      expect(await gateBecomes(reader, (s) => s.tripped)).toMatchObject({ tripped: true, reason: 'runaway loop', actor: 'bob' });
    } finally {
      own.resume();
      await Promise.all([store.close(), reader.close()]);
    }
  });

  it('says the same of an adjustment: the budgets may or may not count it, and do once Redis goes on', async () => {
    const store = new RedisStore({ url: own.url, keyPrefix: 'hung-adjust:', logger: quiet, timeoutMillis: 200, gateRefreshMillis: 60_000 });
    const spend = (amount: number) => [{ counter: 'daily|day:2026-11-23', amount, expiresAt: now + 3_600_000 }];
    try {
      await store.adjust(spend(0), now);
      own.pause();
      await expect(store.adjust(spend(0.42), now)).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        message: expect.stringMatching(
          /^the budgets may or may not count the spend: the Redis store at redis:\/\/127\.0\.0\.1:\d+ was sent the change but did not answer within 200 ms; check costctl status/,
        ),
      });
      own.resume();
      // Read on the same connection, which Redis serves in order: after the adjustment it was sent.
      expect(await store.read(entry(0).window, now)).toEqual({ spent: 0.42, reserved: 0 });
    } finally {
      own.resume();
      await store.close();
    }
  });

  it('counts the spend of a lease renewal that got no answer but ran once, when it is renewed again, and holds nothing it made', async () => {
    const store = new RedisStore({ url: own.url, keyPrefix: 'hung-lease:', logger: quiet, timeoutMillis: 200, gateRefreshMillis: 60_000 });
    try {
      const [first] = await store.renewLeases([{ id: undefined, spent: 0, entry: entry(4, 10), keep: 0 }], 60_000, now);
      own.pause();
      await expect(store.renewLeases([{ id: first!.id, spent: 1.5, entry: entry(4, 10), keep: 0 }], 60_000, now)).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
      });
      own.resume();
      // It ran once Redis went on: 1.5 spent, 4 held under an id the caller never heard of.
      expect(await store.read(entry(0).window, now)).toEqual({ spent: 1.5, reserved: 4 });
      // Renewed again from the last answer, with what was spent since added: 1.5 + 0.5.
      const [again] = await store.renewLeases([{ id: first!.id, spent: 2, entry: entry(3, 10), keep: 0 }], 60_000, now);
      expect(again?.granted).toBe(true);
      expect(await store.read(entry(0).window, now)).toEqual({ spent: 2, reserved: 3 });
      await store.renewLeases([{ id: again!.id, spent: 0, entry: entry(0), keep: 0 }], 60_000, now);
      expect(await store.read(entry(0).window, now)).toEqual({ spent: 2, reserved: 0 });
    } finally {
      own.resume();
      await store.close();
    }
  });

  it('fails closed within its timeout when Redis hangs, instead of hanging the call', async () => {
    const store = new RedisStore({ url: own.url, keyPrefix: 'hang:', logger: quiet, timeoutMillis: 30, gateRefreshMillis: 60_000 });
    try {
      expect((await store.gate()).tripped).toBe(false);
      own.pause();
      // A hung Redis never answers: this resolves only because the store's own timeout gives up.
      const refused = await store.reserve([entry(1, 10)], 60_000, now);
      expect(refused.ok).toBe(false);
      expect((await store.gate()).tripped).toBe(true);
      own.resume();
      expect(await gateBecomes(store, (s) => !s.tripped)).toMatchObject({ tripped: false });
    } finally {
      own.resume();
      await store.close();
    }
  });

  it('with onUnreachable: open, lets calls go on unbudgeted while Redis is down, and says so', async () => {
    const errors: string[] = [];
    const store = new RedisStore({
      url: own.url,
      keyPrefix: 'open:',
      onUnreachable: 'open',
      timeoutMillis: 2_000,
      logger: { ...quiet, error: (m) => errors.push(m) },
    });
    try {
      expect((await store.gate()).tripped).toBe(false);
      await own.kill();
      expect((await store.reserve([entry(1, 10)], 60_000, now)).ok).toBe(true);
      expect((await store.gate()).tripped).toBe(false);
      expect(errors.join('\n')).toMatch(/UNBUDGETED/);
      await expect(store.changeGate({ action: 'reset', reason: 'r', actor: 'a' }, now)).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        message: expect.stringMatching(/^the gate was NOT reset: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer/),
      });
    } finally {
      await own.restart();
      await store.close();
    }
  });
});
