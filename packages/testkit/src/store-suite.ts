import assert from 'node:assert/strict';
import type { AggregateSpend, CostStore, CounterEntry, CounterSpend, GateState, LeaseGrant, LeaseRenewal, RuleSeed } from '@costctl/otel/store';

/** A test runner's `it` or `test` (vitest, node:test, mocha, jest): registers one named case. */
export type StoreTestRunner = (name: string, run: () => Promise<void>) => unknown;

/** What a store can do beyond the methods every CostStore has; a case that needs more is skipped. */
export interface StoreCapabilities {
  /** `seed()`: a rule added mid-window counts the spend its scope already had. */
  seed?: boolean;
  /** `readAggregates()`: the window aggregates read back, for reports of the whole fleet. */
  aggregates?: boolean;
  /** `renewLeases()`: processes admit calls against leases of headroom, renewed in batches. */
  leases?: boolean;
}

export interface StoreSuiteOptions {
  capabilities?: StoreCapabilities;
}

/** One behaviour, checked on a fresh store. */
interface StoreCase {
  name: string;
  needs?: keyof StoreCapabilities;
  run(store: CostStore): Promise<void>;
}

const now = Date.UTC(2026, 10, 23, 12);
const day = (amount: number, limit?: number): CounterEntry => ({
  counter: 'daily|day:2026-11-23',
  window: ['daily|day:2026-11-23'],
  amount,
  limit,
  expiresAt: Date.UTC(2026, 10, 24),
});

const dayEnd = Date.UTC(2026, 10, 24);
/** A settled call's aggregates: the day and all time, by every dimension given. */
const aggregate = (usd: number, dimensions: string[]): AggregateSpend => ({
  windows: [
    { prefix: 'day:2026-11-23|', expiresAt: dayEnd },
    { prefix: 'total|', expiresAt: Infinity },
  ],
  dimensions: ['*', ...dimensions],
  usd,
  tokens: usd * 1000,
  requests: 1,
});
const seedOf = (seen: string, unit: RuleSeed['unit'], from: string[][], counter = `${seen}|day:2026-11-23`): RuleSeed => ({
  seen,
  counter,
  expiresAt: dayEnd,
  unit,
  from,
});

/** What settling `entries` with these real amounts commits. */
function spendOf(entries: readonly CounterEntry[], amounts: readonly number[]): CounterSpend[] {
  return entries.map((entry, i) => ({ counter: entry.counter, amount: amounts[i] ?? 0, expiresAt: entry.expiresAt }));
}

async function reserveId(store: CostStore, entries: readonly CounterEntry[], leaseMillis = 60_000, at = now): Promise<string> {
  const result = await store.reserve(entries, leaseMillis, at);
  if (!result.ok) throw new assert.AssertionError({ message: `expected a reservation, got ${JSON.stringify(result)}` });
  return result.id;
}

async function renew(store: CostStore, renewals: readonly LeaseRenewal[], leaseMillis = 60_000, at = now): Promise<LeaseGrant[]> {
  if (store.renewLeases === undefined) throw new assert.AssertionError({ message: 'the store declares leases but has no renewLeases()' });
  return store.renewLeases(renewals, leaseMillis, at);
}

const cases: readonly StoreCase[] = [
  {
    name: 'reserves until the limit, counting reserved and committed spend',
    async run(store) {
      await reserveId(store, [day(4, 10)]);
      await reserveId(store, [day(4, 10)]);
      assert.deepEqual(await store.reserve([day(4, 10)], 60_000, now), { ok: false, index: 0, spent: 8 });
      assert.deepEqual(await store.read(day(0).window, now), { spent: 0, reserved: 8 });
    },
  },
  {
    name: 'replaces a reservation by the real cost on commit, and frees it on release, once',
    async run(store) {
      const a = await reserveId(store, [day(4, 10)]);
      const b = await reserveId(store, [day(4, 10)]);
      await store.commit(a, spendOf([day(4)], [1.5]), now);
      await store.release(b);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 1.5, reserved: 0 });
      await store.release(b);
      await store.release('never-issued');
      assert.deepEqual(await store.read(day(0).window, now), { spent: 1.5, reserved: 0 });
    },
  },
  {
    name: 'counts the spend of a call that settles after its lease ran out',
    async run(store) {
      const late = await reserveId(store, [day(4, 10)], 1_000);
      assert.deepEqual(await store.read(day(0).window, now + 2_000), { spent: 0, reserved: 4 });
      await store.commit(late, spendOf([day(4)], [3]), now + 2_000);
      assert.deepEqual(await store.read(day(0).window, now + 2_000), { spent: 3, reserved: 0 });
    },
  },
  {
    name: "still has a window's spend when the clock, moved past its end, is set back into it",
    async run(store) {
      await store.commit(await reserveId(store, [day(4, 10)]), spendOf([day(4)], [2]), now);
      // The clock jumps past the day's end: the next day's calls come and go, and old windows may be swept.
      const nextDay = Date.UTC(2026, 10, 24, 2);
      const next: CounterEntry = { ...day(1, 10), counter: 'daily|day:2026-11-24', window: ['daily|day:2026-11-24'], expiresAt: Date.UTC(2026, 10, 25) };
      for (let i = 0; i < 3; i++)
        await store.commit(await reserveId(store, [next], 60_000, nextDay + i * 120_000), spendOf([next], [1]), nextDay + i * 120_000);
      // Then it is set back into the day.
      assert.deepEqual(await store.read(day(0).window, now + 60_000), { spent: 2, reserved: 0 });
    },
  },
  {
    name: 'reserves all entries or none',
    async run(store) {
      const other: CounterEntry = { ...day(5, 5), counter: 'hourly|h', window: ['hourly|h'] };
      assert.deepEqual(await store.reserve([day(5, 10), { ...other, amount: 6 }], 60_000, now), { ok: false, index: 1, spent: 0 });
      assert.equal((await store.read(day(0).window, now)).reserved, 0);
      const id = await reserveId(store, [day(5, 10), other]);
      await store.commit(id, spendOf([day(5), other], [2, 3]), now);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 2, reserved: 0 });
      assert.deepEqual(await store.read(other.window, now), { spent: 3, reserved: 0 });
    },
  },
  {
    name: 'never blocks on an entry without a limit (alert-only rules) but still counts it',
    async run(store) {
      await reserveId(store, [day(1000)]);
      assert.equal((await store.read(day(0).window, now)).reserved, 1000);
    },
  },
  {
    name: 'lets a reservation that was never settled expire after its lease',
    async run(store) {
      await reserveId(store, [day(9, 10)], 1_000);
      assert.equal((await store.reserve([day(9, 10)], 1_000, now + 999)).ok, false);
      await reserveId(store, [day(9, 10)], 1_000, now + 1_000);
      assert.equal((await store.read(day(0).window, now + 1_000)).reserved, 9);
    },
  },
  {
    name: 'sums a window over several counters and skips the ones past their window',
    async run(store) {
      const bucket = (i: number, amount: number): CounterEntry => ({
        counter: `r|${i}`,
        window: [`r|${i}`],
        amount,
        limit: undefined,
        expiresAt: now + i * 1000,
      });
      for (const i of [1, 2, 3]) await store.commit(await reserveId(store, [bucket(i, i)]), spendOf([bucket(i, i)], [i * 10]), now);
      assert.equal((await store.read(['r|1', 'r|2', 'r|3'], now)).spent, 60);
      assert.equal((await store.read(['r|1', 'r|2', 'r|3'], now + 1_500)).spent, 50);
    },
  },
  {
    name: 'checks a rolling window against the sum of its buckets',
    async run(store) {
      const rolling = (counter: string, amount: number): CounterEntry => ({ counter, window: ['b|1', 'b|2'], amount, limit: 10, expiresAt: now + 60_000 });
      await store.commit(await reserveId(store, [rolling('b|1', 6)]), spendOf([rolling('b|1', 6)], [6]), now);
      assert.deepEqual(await store.reserve([rolling('b|2', 5)], 60_000, now), { ok: false, index: 0, spent: 6 });
      await reserveId(store, [rolling('b|2', 4)]);
    },
  },
  {
    name: 'keeps a window without an end (total) forever',
    async run(store) {
      const total: CounterEntry = { counter: 'all|total', window: ['all|total'], amount: 3, limit: 5, expiresAt: Infinity };
      await store.commit(await reserveId(store, [total]), spendOf([total], [3]), now);
      assert.deepEqual(await store.read(total.window, now + 10 * 365 * 86_400_000), { spent: 3, reserved: 0 });
    },
  },
  {
    name: 'counts an adjustment, which belongs to no reservation, in every counter it names',
    async run(store) {
      await store.adjust([{ counter: 'daily|day:2026-11-23', amount: 0.5, expiresAt: Date.UTC(2026, 10, 24) }], now);
      await store.adjust([{ counter: 'daily|day:2026-11-23', amount: -0.25, expiresAt: Date.UTC(2026, 10, 24) }], now);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 0.25, reserved: 0 });
    },
  },
  {
    name: 'seeds a rule never seen from the window aggregates of its scope, once',
    needs: 'seed',
    async run(store) {
      if (store.seed === undefined) throw new assert.AssertionError({ message: 'the store declares seed but has no seed()' });
      // Settled calls, with or without a reservation, add to the aggregates in their commit.
      await store.commit(await reserveId(store, [day(1, 10)]), spendOf([day(1)], [2]), now, [aggregate(2, ['provider=openai', 'label:tenant=acme'])]);
      // Calls no rule held arrive in batches, with no reservation and no spend.
      await store.commit('aggregates', [], now, [
        aggregate(3, ['provider=anthropic', 'label:tenant=acme']),
        aggregate(0.5, ['provider=openai', 'label:tenant=globex']),
      ]);
      await store.seed(
        [
          seedOf('openai_daily', 'usd', [['day:2026-11-23|provider=openai']]),
          seedOf('all_tokens', 'tokens', [['day:2026-11-23|*']]),
          seedOf('acme_total_requests', 'requests', [['total|label:tenant=acme']], 'acme|total'),
          // Both OpenAI and acme: no more than the least of the two.
          seedOf('openai_acme', 'usd', [['day:2026-11-23|provider=openai'], ['day:2026-11-23|label:tenant=acme']]),
          seedOf('nothing_yet', 'usd', [['day:2026-11-23|provider=mistral']]),
        ],
        now,
      );
      const spent = async (counter: string) => (await store.read([counter], now)).spent;
      assert.equal(await spent('openai_daily|day:2026-11-23'), 2.5);
      assert.equal(await spent('all_tokens|day:2026-11-23'), 5500);
      assert.equal(await spent('acme|total'), 2);
      assert.equal(await spent('openai_acme|day:2026-11-23'), 2.5);
      assert.equal(await spent('nothing_yet|day:2026-11-23'), 0);
      // Seen once: later spend is counted by the rule's own reservations, never seeded twice.
      await store.commit('aggregates', [], now, [aggregate(7, ['provider=openai'])]);
      await store.seed([seedOf('openai_daily', 'usd', [['day:2026-11-23|provider=openai']])], now);
      assert.equal(await spent('openai_daily|day:2026-11-23'), 2.5);
    },
  },
  {
    name: 'never lowers a counter by seeding it, and skips aggregates past their end',
    needs: 'seed',
    async run(store) {
      if (store.seed === undefined) throw new assert.AssertionError({ message: 'the store declares seed but has no seed()' });
      await store.commit(await reserveId(store, [day(1, 10)]), spendOf([day(1)], [4]), now, [aggregate(1, [])]);
      await store.seed([seedOf('daily', 'usd', [['day:2026-11-23|*']])], now);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 4, reserved: 0 });
      const tomorrow = Date.UTC(2026, 10, 24, 1);
      await store.seed(
        [{ ...seedOf('late', 'usd', [['day:2026-11-23|*'], ['total|*']]), counter: 'late|day:2026-11-24', expiresAt: Date.UTC(2026, 10, 25) }],
        tomorrow,
      );
      assert.equal((await store.read(['late|day:2026-11-24'], tomorrow)).spent, 0);
    },
  },
  {
    name: 'reads back the window aggregates under each prefix, adjustments included',
    needs: 'aggregates',
    async run(store) {
      if (store.readAggregates === undefined) throw new assert.AssertionError({ message: 'the store declares aggregates but has no readAggregates()' });
      await store.commit(await reserveId(store, [day(1, 10)]), spendOf([day(1)], [2]), now, [aggregate(2, ['provider=openai', 'model=gpt-4o-mini'])]);
      await store.commit('aggregates', [], now, [
        aggregate(0.5, ['provider=openai', 'model=gpt-4o-mini']),
        aggregate(3, ['provider=anthropic', 'label:tenant=a*b[c]']),
      ]);
      const yesterday = { windows: [{ prefix: 'day:2026-11-22|', expiresAt: Date.UTC(2026, 10, 23) }], dimensions: ['*'], usd: 9, tokens: 9, requests: 9 };
      await store.commit('aggregates', [], Date.UTC(2026, 10, 22, 12), [yesterday]);
      await store.adjust([], now, [
        { windows: [{ prefix: 'day:2026-11-23|', expiresAt: dayEnd }], dimensions: ['*', 'adjusted:provider=openai'], usd: -0.25, tokens: 0, requests: 0 },
      ]);
      const sorted = async (prefixes: string[]) => (await store.readAggregates!(prefixes, now)).sort((a, b) => (a.key < b.key ? -1 : 1));
      assert.deepEqual(await sorted(['day:2026-11-23|']), [
        { key: 'day:2026-11-23|*', usd: 5.25, tokens: 5500, requests: 3 },
        { key: 'day:2026-11-23|adjusted:provider=openai', usd: -0.25, tokens: 0, requests: 0 },
        { key: 'day:2026-11-23|label:tenant=a*b[c]', usd: 3, tokens: 3000, requests: 1 },
        { key: 'day:2026-11-23|model=gpt-4o-mini', usd: 2.5, tokens: 2500, requests: 2 },
        { key: 'day:2026-11-23|provider=anthropic', usd: 3, tokens: 3000, requests: 1 },
        { key: 'day:2026-11-23|provider=openai', usd: 2.5, tokens: 2500, requests: 2 },
      ]);
      // A prefix is literal: glob and SQL wildcard characters match only themselves.
      assert.deepEqual(await sorted(['total|label:tenant=a%', 'total|label:tenant=?', 'total|model=gpt-4o-mini', 'day:2026-11-2?']), [
        { key: 'total|model=gpt-4o-mini', usd: 2.5, tokens: 2500, requests: 2 },
      ]);
      assert.deepEqual(await sorted(['total|label:tenant=a*b[c]']), [{ key: 'total|label:tenant=a*b[c]', usd: 3, tokens: 3000, requests: 1 }]);
      // A window past the end the store keeps it to is gone, whichever prefix asks.
      assert.deepEqual(
        (await sorted(['day:'])).map((read) => read.key).filter((key) => key.startsWith('day:2026-11-22')),
        [],
      );
      assert.deepEqual(await store.readAggregates(['day:2026-11-22|'], Date.UTC(2026, 10, 22, 13)), [
        { key: 'day:2026-11-22|*', usd: 9, tokens: 9, requests: 9 },
      ]);
      assert.deepEqual(await store.readAggregates(['month:'], now), []);
    },
  },
  {
    name: 'grants a lease within the limit, commits its spend and resizes it on renewal, and gives it back',
    needs: 'leases',
    async run(store) {
      const [first] = await renew(store, [{ id: undefined, spent: 0, entry: day(4, 10), keep: 0 }]);
      assert.equal(first?.granted, true);
      assert.ok(first?.id !== undefined);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 0, reserved: 4 });
      // A lease counts against every other reservation.
      assert.deepEqual(await store.reserve([day(7, 10)], 60_000, now), { ok: false, index: 0, spent: 4 });
      // Renewed: 1.5 spent, 1 held by a call in flight, 3 asked; the old lease's room counts for the new one.
      const [second] = await renew(store, [{ id: first.id, spent: 1.5, entry: day(4, 10), keep: 1 }]);
      assert.equal(second?.granted, true);
      assert.notEqual(second?.id, first.id);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 1.5, reserved: 4 });
      // Given back: the call settled for 0.5, nothing held.
      const [last] = await renew(store, [{ id: second!.id, spent: 0.5, entry: day(0), keep: 0 }]);
      assert.deepEqual(last, { id: undefined, granted: true });
      assert.deepEqual(await store.read(day(0).window, now), { spent: 2, reserved: 0 });
    },
  },
  {
    name: 'holds only what a lease keeps when the amount asked would pass the limit, and renews many leases at once',
    needs: 'leases',
    async run(store) {
      const other: CounterEntry = {
        counter: 'hourly|hour:2026-11-23T12',
        window: ['hourly|hour:2026-11-23T12'],
        amount: 2,
        limit: 100,
        expiresAt: Date.UTC(2026, 10, 23, 13),
      };
      const [day1, hour1] = await renew(store, [
        { id: undefined, spent: 0, entry: day(6, 10), keep: 0 },
        { id: undefined, spent: 0, entry: other, keep: 0 },
      ]);
      assert.equal(day1?.granted && hour1?.granted, true);
      await store.adjust([{ counter: day(0).counter, amount: 5, expiresAt: day(0).expiresAt }], now);
      // 5 spent elsewhere: 6 more would pass 10, so the lease keeps its call in flight (2), whatever the limit.
      const [day2, hour2] = await renew(store, [
        { id: day1!.id, spent: 0, entry: day(6, 10), keep: 2 },
        { id: hour1!.id, spent: 1, entry: { ...other, amount: 5 }, keep: 0 },
      ]);
      assert.equal(day2?.granted, false);
      assert.ok(day2?.id !== undefined);
      assert.equal(hour2?.granted, true);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 5, reserved: 2 });
      assert.deepEqual(await store.read(other.window, now), { spent: 1, reserved: 5 });
    },
  },
  {
    name: 'lets a lease go when it expires (its process died), and still counts the spend of a late renewal',
    needs: 'leases',
    async run(store) {
      const [lease] = await renew(store, [{ id: undefined, spent: 0, entry: day(5, 10), keep: 0 }], 1_000);
      assert.deepEqual(await store.read(day(0).window, now), { spent: 0, reserved: 5 });
      // Another process's reservation after the lease's end lets it go.
      await reserveId(store, [day(1, 10)], 60_000, now + 1_001);
      assert.deepEqual(await store.read(day(0).window, now + 1_001), { spent: 0, reserved: 1 });
      const [late] = await renew(store, [{ id: lease!.id, spent: 2, entry: day(0), keep: 0 }], 1_000, now + 2_000);
      assert.deepEqual(late, { id: undefined, granted: true });
      assert.deepEqual(await store.read(day(0).window, now + 2_000), { spent: 2, reserved: 1 });
    },
  },
  {
    name: 'trips and resets the gate, tells listeners, and audits every change',
    async run(store) {
      const seen: boolean[] = [];
      store.onGateChange((state) => seen.push(state.tripped));
      assert.equal((await store.gate()).tripped, false);
      const tripped = await store.changeGate({ action: 'trip', reason: 'retry storm', actor: 'alice' }, now);
      const expected: GateState = { tripped: true, reason: 'retry storm', actor: 'alice', since: now };
      assert.deepEqual(tripped, expected);
      assert.deepEqual(await store.gate(), expected);
      await store.changeGate({ action: 'reset', reason: 'fixed the loop', actor: 'bob' }, now + 1);
      assert.deepEqual(seen, [true, false]);
      const audit = (await store.audit()).map(({ action, reason, actor, pid, wasTripped, time }) => ({ action, reason, actor, pid, wasTripped, time }));
      assert.deepEqual(audit, [
        { action: 'trip', reason: 'retry storm', actor: 'alice', pid: process.pid, wasTripped: false, time: new Date(now).toISOString() },
        { action: 'reset', reason: 'fixed the loop', actor: 'bob', pid: process.pid, wasTripped: true, time: new Date(now + 1).toISOString() },
      ]);
    },
  },
  {
    name: 'swaps an announcement only from the value it holds, so one writer wins',
    async run(store) {
      assert.equal(await store.readAnnounced('rule:daily'), undefined);
      assert.equal(await store.swapAnnounced('rule:daily', 'stale', '{"level":1}'), false);
      assert.equal(await store.swapAnnounced('rule:daily', undefined, '{"level":1}'), true);
      // A second process that also read "nothing" loses: the change is announced once.
      assert.equal(await store.swapAnnounced('rule:daily', undefined, '{"level":1}'), false);
      assert.equal(await store.swapAnnounced('rule:daily', '{"level":1}', '{"level":3}'), true);
      assert.equal(await store.readAnnounced('rule:daily'), '{"level":3}');
      assert.equal(await store.readAnnounced('gate'), undefined);
      const racers = await Promise.all([1, 2, 3, 4].map(async () => store.swapAnnounced('gate', undefined, 'tripped')));
      assert.deepEqual(racers.filter(Boolean), [true]);
    },
  },
];

/**
 * Registers, through `test`, every behaviour a costctl store must have, each
 * on a fresh store from `makeStore` that the suite closes after the case.
 * Plain node:assert, so any test runner works. Cases for optional behaviour
 * run only when `options.capabilities` declares it.
 *
 * @example
 * import { storeSuite } from '@costctl/testkit';
 * import { describe, it } from 'vitest';
 * describe('MyStore', () => storeSuite(it, () => new MyStore(), { capabilities: { seed: true } }));
 */
export function storeSuite(test: StoreTestRunner, makeStore: () => CostStore | Promise<CostStore>, options: StoreSuiteOptions = {}): void {
  for (const { name, needs, run } of cases) {
    if (needs !== undefined && options.capabilities?.[needs] !== true) continue;
    test(name, async () => {
      const store = await makeStore();
      try {
        await run(store);
      } finally {
        await store.close();
      }
    });
  }
}
