import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RuleConfig } from '../config/schema.js';
import { Gate } from '../gate/gate.js';
import type { CallResult } from '../model/call-result.js';
import type { RequestFacts } from '../model/usage.js';
import { PriceTable } from '../pricing/price-table.js';
import { adapterByName } from '../providers/registry.js';
import { MemoryStore } from '../store/memory.js';
import type { CostStore, LeaseGrant, LeaseRenewal, WindowSpend } from '../store/types.js';
import { type Admission, Budgets, type PendingCall, type Reservation } from './budgets.js';
import { RENEW_EVERY_MS } from './leases.js';

const openai = adapterByName('openai')!;
const rule = (patch: Partial<RuleConfig>): RuleConfig => ({
  name: 'r',
  limit: 1,
  unit: 'usd',
  window: 'day',
  scope: {},
  warnAt: 0.7,
  criticalAt: 0.9,
  action: 'block',
  ...patch,
});
const request: RequestFacts = {
  operation: 'chat',
  api: 'chat_completions',
  model: 'gpt-4o-mini',
  stream: false,
  maxOutputTokens: 1000,
  inputTokenEstimate: 1000,
};
const call: PendingCall = { adapter: openai, request, provider: 'openai', model: 'gpt-4o-mini', labels: {} };
// gpt-4o-mini: 1000 input at $0.15/M + 1000 output at $0.60/M.
const worstCase = (1000 * 0.15 + 1000 * 0.6) / 1e6;
const settled = (usd: number) => ({ cost: { usd }, usage: { input: 100, output: 50 } }) as unknown as CallResult;

/** A real memory store that counts the operations budgets send it. */
class CountingStore extends MemoryStore {
  reserves = 0;
  commits = 0;
  renewals: LeaseRenewal[][] = [];
  /** How many renewals fail next, as a store that cannot be written does. */
  failing = 0;

  override reserve(...args: Parameters<MemoryStore['reserve']>) {
    this.reserves++;
    return super.reserve(...args);
  }

  override commit(...args: Parameters<MemoryStore['commit']>) {
    if (args[0] !== 'aggregates') this.commits++;
    return super.commit(...args);
  }

  override renewLeases(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): LeaseGrant[] {
    if (this.failing > 0) {
      this.failing--;
      throw new Error('the disk is full');
    }
    this.renewals.push([...renewals]);
    return super.renewLeases(renewals, leaseMillis, now);
  }
}

function leased(rules: RuleConfig[], store: CostStore = new CountingStore(), leaseMillis = 60_000) {
  const gate = new Gate(store, store.gate());
  return new Budgets(rules, store, gate, new PriceTable(), { timeZone: 'UTC', defaultMaxOutputTokens: 4096, leaseMillis, leases: true });
}

async function admitted(engine: Budgets): Promise<Reservation> {
  const admission = await engine.admit(call);
  if (admission.blocked !== undefined || admission.reservation === undefined)
    throw new Error(`expected an admission, got ${JSON.stringify(admission.blocked)}`);
  return admission.reservation;
}

const spendOf = (store: CostStore, engine: Budgets, index = 0) => {
  const now = Date.now();
  // The stores here answer synchronously.
  return store.read(engine.rules[index]!.windowNow(now).window, now) as WindowSpend;
};

/** Timers and the clock moved by the test; setImmediate left real, as the first renewal of a process waits for it. */
const fakeClock = (now: number) => vi.useFakeTimers({ now, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });

afterEach(() => vi.useRealTimers());

describe('admission against leases', () => {
  it('answers a call that cannot wait (admit with wait false) at once from a synchronous store, never with a promise, and refuses past the limit', () => {
    fakeClock(Date.UTC(2026, 11, 7, 12));
    const store = new CountingStore();
    const engine = leased([rule({ limit: 1.5 * worstCase })], store);
    const first = engine.admit(call, false);
    expect(first).not.toBeInstanceOf(Promise);
    expect((first as Admission).blocked).toBeUndefined();
    // The first call found no lease: it reserved in the store rather than wait for one.
    expect(store.reserves).toBe(1);
    const { reservation } = first as Admission & { blocked: undefined };
    reservation!.settle(settled(worstCase));
    const second = engine.admit(call, false);
    expect(second).not.toBeInstanceOf(Promise);
    expect((second as Admission).blocked).toMatchObject({ code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'r' });
  });

  it('admits 500 calls well under the limit with far fewer store operations than calls, and commits every cent', async () => {
    fakeClock(Date.UTC(2026, 11, 7, 12));
    const store = new CountingStore();
    const engine = leased(
      [
        rule({ limit: 1000 }),
        rule({ name: 'tokens', unit: 'tokens', limit: 1e9 }),
        rule({ name: 'calls', unit: 'requests', limit: 1e6, window: 'rolling:15m' }),
      ],
      store,
    );
    for (let i = 0; i < 500; i++) {
      (await admitted(engine)).settle(settled(worstCase / 4));
      // 2 ms apart: 1 s of calls, so the leases are renewed about ten times.
      vi.advanceTimersByTime(2);
    }
    const operations = store.reserves + store.commits + store.renewals.length;
    expect(operations).toBeLessThanOrEqual(20);
    // Every renewal carries every rule's lease: one store operation, not one per rule.
    expect(store.renewals.slice(1, -1).every((renewals) => renewals.length === 3)).toBe(true);
    await engine.flush();
    expect(spendOf(store, engine, 0)).toEqual({ spent: expect.closeTo(500 * (worstCase / 4), 12), reserved: 0 });
    expect(spendOf(store, engine, 1)).toEqual({ spent: 500 * 150, reserved: 0 });
    expect(spendOf(store, engine, 2)).toEqual({ spent: 500, reserved: 0 });
  });

  it('reserves call by call near the limit, and never lets the window pass it', async () => {
    const store = new CountingStore();
    const engine = leased([rule({ limit: 100.5 * worstCase })], store);
    let admittedCalls = 0;
    for (let i = 0; i < 150; i++) {
      const admission = await engine.admit(call);
      if (admission.blocked !== undefined) continue;
      admittedCalls++;
      admission.reservation!.settle(settled(worstCase));
    }
    await engine.flush();
    const { spent, reserved } = spendOf(store, engine);
    expect(spent).toBeLessThanOrEqual(100.5 * worstCase);
    // Every call that fits is let through: the leases strand nothing.
    expect(admittedCalls).toBe(100);
    expect(reserved).toBe(0);
    // The last calls were reserved in the store one by one.
    expect(store.reserves).toBeGreaterThan(0);
    expect(store.renewals.length).toBeGreaterThan(0);
  });

  it('gives an idle lease back within two renewals, keeping only what calls in flight may cost', async () => {
    fakeClock(Date.UTC(2026, 11, 7, 12));
    const store = new CountingStore();
    const engine = leased([rule({ limit: 1000 })], store);
    const inFlight = await admitted(engine);
    for (let i = 0; i < 20; i++) (await admitted(engine)).settle(settled(worstCase / 2));
    expect(spendOf(store, engine).reserved).toBeGreaterThan(worstCase);
    vi.advanceTimersByTime(2 * RENEW_EVERY_MS);
    expect(spendOf(store, engine)).toEqual({ spent: expect.closeTo(10 * worstCase, 15), reserved: expect.closeTo(worstCase, 15) });
    inFlight.settle(settled(worstCase / 2));
    vi.advanceTimersByTime(RENEW_EVERY_MS);
    expect(spendOf(store, engine)).toEqual({ spent: expect.closeTo(10.5 * worstCase, 15), reserved: 0 });
    // Nothing held, nothing owed: no more store operations while idle.
    const renewals = store.renewals.length;
    vi.advanceTimersByTime(10 * RENEW_EVERY_MS);
    expect(store.renewals.length).toBe(renewals);
  });

  it('holds the calls in flight when another process takes the rest of the window, and gives the headroom back to the fleet', async () => {
    fakeClock(Date.UTC(2026, 11, 7, 12));
    const store = new CountingStore();
    const limit = 1000 * worstCase;
    const engine = leased([rule({ limit })], store);
    const inFlight = await admitted(engine);
    const lease = spendOf(store, engine).reserved;
    expect(lease).toBeGreaterThan(2 * worstCase);
    // Another process spends all the window has left beside this one's lease.
    const other = leased([rule({ limit })], store);
    await store.adjust([{ counter: engine.rules[0]!.windowNow(Date.now()).counter, amount: limit - lease, expiresAt: Date.UTC(2026, 11, 8) }], Date.now());
    vi.advanceTimersByTime(RENEW_EVERY_MS);
    // The renewal was refused headroom: the lease keeps the call in flight only, and gives the rest back.
    expect(spendOf(store, engine)).toEqual({ spent: expect.closeTo(limit - lease, 12), reserved: expect.closeTo(worstCase, 15) });
    let admittedCalls = 0;
    for (let i = 0; i < 100; i++) {
      const admission = await (i % 2 === 0 ? other : engine).admit(call);
      if (admission.blocked === undefined) admittedCalls++;
    }
    // What the lease gave back is what both processes could still admit, call by call: no more, no less.
    expect(admittedCalls).toBe(Math.floor((lease - worstCase) / worstCase + 1e-9));
    inFlight.settle(settled(worstCase));
    const { spent, reserved } = spendOf(store, engine);
    expect(spent + reserved).toBeLessThanOrEqual(limit * (1 + 1e-12));
  });

  it('keeps the spend of a renewal that failed, admits nothing against its lease meanwhile, and commits it at the next one', async () => {
    fakeClock(Date.UTC(2026, 11, 7, 12));
    const store = new CountingStore();
    const engine = leased([rule({ limit: 1000 })], store);
    for (let i = 0; i < 3; i++) (await admitted(engine)).settle(settled(worstCase));
    // Admitted against the lease: spent in memory, committed at the next renewal.
    expect(spendOf(store, engine).spent).toBe(0);
    store.failing = 2;
    vi.advanceTimersByTime(RENEW_EVERY_MS);
    expect(spendOf(store, engine).spent).toBe(0);
    // The call asks for a renewal, which fails too: it is reserved and committed in the store on its own.
    (await admitted(engine)).settle(settled(worstCase));
    expect(store.reserves).toBe(1);
    expect(spendOf(store, engine).spent).toBeCloseTo(worstCase, 15);
    vi.advanceTimersByTime(RENEW_EVERY_MS);
    expect(spendOf(store, engine).spent).toBeCloseTo(4 * worstCase, 15);
  });

  it('starts a new lease when the window rolls over, and gives the old one back once its calls settle, their spend in the old day', async () => {
    fakeClock(Date.UTC(2026, 11, 7, 23, 59, 59, 900));
    const store = new CountingStore();
    const engine = leased([rule({ limit: 1000 })], store);
    const lateCall = await admitted(engine);
    const today = engine.rules[0]!.windowNow(Date.now()).window;
    vi.advanceTimersByTime(200);
    const tomorrow = engine.rules[0]!.windowNow(Date.now()).window;
    expect(tomorrow).not.toEqual(today);
    (await admitted(engine)).settle(settled(worstCase));
    lateCall.settle(settled(2 * worstCase));
    // Both days' calls were admitted against leases.
    expect(store.reserves).toBe(0);
    await engine.flush();
    expect(store.read(today, Date.UTC(2026, 11, 7, 23))).toEqual({ spent: expect.closeTo(2 * worstCase, 15), reserved: 0 });
    expect(store.read(tomorrow, Date.now())).toEqual({ spent: expect.closeTo(worstCase, 15), reserved: 0 });
  });

  it('renews the lease of a call in flight before the store lets it go, lets the call go a lease length later, and still counts its late spend', async () => {
    fakeClock(Date.UTC(2026, 11, 7, 12));
    const store = new CountingStore();
    const engine = leased([rule({ limit: 1000 })], store, 4_000);
    const inFlight = await admitted(engine);
    vi.advanceTimersByTime(3_000);
    // Past the lease's first end: renewed meanwhile, still held.
    expect(spendOf(store, engine).reserved).toBeCloseTo(worstCase, 15);
    vi.advanceTimersByTime(2_100);
    // A call never settled holds its lease no longer than a reservation would (a lease length, and at most a quarter more).
    expect(spendOf(store, engine)).toEqual({ spent: 0, reserved: 0 });
    inFlight.settle(settled(worstCase));
    vi.advanceTimersByTime(RENEW_EVERY_MS);
    expect(spendOf(store, engine)).toEqual({ spent: expect.closeTo(worstCase, 15), reserved: 0 });
  });

  it('leaves the memory store on its own path: one reservation per call, nothing leased', async () => {
    const store = new CountingStore();
    const gate = new Gate(store, store.gate());
    const engine = new Budgets([rule({ limit: 1000 })], store, gate, new PriceTable(), { timeZone: 'UTC', defaultMaxOutputTokens: 4096, leaseMillis: 60_000 });
    for (let i = 0; i < 5; i++) (await admitted(engine)).settle(settled(worstCase));
    expect(store.reserves).toBe(5);
    expect(store.renewals).toHaveLength(0);
  });
});
