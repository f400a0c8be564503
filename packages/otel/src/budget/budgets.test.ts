import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RuleConfig } from '../config/schema.js';
import { Gate } from '../gate/gate.js';
import { PriceTable } from '../pricing/price-table.js';
import { adapterByName } from '../providers/registry.js';
import type { RequestFacts } from '../model/usage.js';
import { MemoryStore } from '../store/memory.js';
import type { CallResult } from '../model/call-result.js';
import { Budgets, type Admission, type PendingCall } from './budgets.js';

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
const request = (patch: Partial<RequestFacts> = {}): RequestFacts => ({
  operation: 'chat',
  api: 'chat_completions',
  model: 'gpt-4o-mini',
  stream: false,
  maxOutputTokens: 1000,
  inputTokenEstimate: 1000,
  ...patch,
});
const call = (patch: Partial<PendingCall> = {}): PendingCall => ({
  adapter: openai,
  request: request(),
  provider: 'openai',
  model: 'gpt-4o-mini',
  labels: {},
  ...patch,
});
// gpt-4o-mini: 1000 input at $0.15/M + 1000 output at $0.60/M.
const worstCase = (1000 * 0.15 + 1000 * 0.6) / 1e6;

function budgets(rules: RuleConfig[], store = new MemoryStore()) {
  const gate = new Gate(store, store.gate());
  return { gate, store, budgets: new Budgets(rules, store, gate, new PriceTable(), { timeZone: 'UTC', defaultMaxOutputTokens: 4096, leaseMillis: 60_000 }) };
}

async function admit(engine: Budgets, pending = call()): Promise<Admission> {
  return engine.admit(pending);
}

const settled = (usd: number, input = 10, output = 5) => ({ cost: { usd }, usage: { input, output } }) as unknown as CallResult;

afterEach(() => vi.useRealTimers());

describe('Budgets', () => {
  it('blocks a call whose worst case would pass a block rule, and names the rule', async () => {
    const { budgets: engine } = budgets([rule({ name: 'daily', limit: worstCase * 2.5 })]);
    expect((await admit(engine)).blocked).toBeUndefined();
    expect((await admit(engine)).blocked).toBeUndefined();
    expect((await admit(engine)).blocked).toMatchObject({
      code: 'COSTCTL_BUDGET_EXCEEDED',
      rule: 'daily',
      spent: expect.closeTo(2 * worstCase, 15),
      limit: worstCase * 2.5,
    });
  });

  // Regression: a block said only "spent 0.0000894 of 0.0001", not what the call would have reserved, from what, or until when.
  it("says what the refused call would have reserved, where its worst case came from, and when the rule's window resets", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 12) });
    const store = new MemoryStore();
    const engine = new Budgets([rule({ name: 'daily', limit: worstCase * 1.5 })], store, new Gate(store, store.gate()), new PriceTable(), {
      timeZone: 'Europe/Paris',
      defaultMaxOutputTokens: 4096,
      leaseMillis: 60_000,
    });
    await admit(engine);
    expect((await admit(engine)).blocked).toEqual({
      code: 'COSTCTL_BUDGET_EXCEEDED',
      rule: 'daily',
      spent: expect.closeTo(worstCase, 15),
      limit: worstCase * 1.5,
      unit: 'usd',
      reserve: expect.closeTo(worstCase, 15),
      reserveSource: 'max_tokens',
      maxOutputTokens: 1000,
      window: 'day',
      resetsAt: Date.UTC(2026, 10, 23, 23),
      timeZone: 'Europe/Paris',
    });
    const unbounded = await admit(engine, call({ request: request({ maxOutputTokens: undefined }) }));
    expect(unbounded.blocked).toMatchObject({
      reserveSource: 'default_max_tokens',
      maxOutputTokens: 4096,
      reserve: expect.closeTo((1000 * 0.15 + 4096 * 0.6) / 1e6, 15),
    });
  });

  it('says a request rule reserves one request', async () => {
    const { budgets: engine } = budgets([rule({ name: 'rpm', unit: 'requests', limit: 1, window: 'minute' })]);
    await admit(engine);
    expect((await admit(engine)).blocked).toMatchObject({
      rule: 'rpm',
      unit: 'requests',
      spent: 1,
      limit: 1,
      reserve: 1,
      reserveSource: 'request',
      window: 'minute',
    });
  });

  it('says who tripped the gate, when and why', async () => {
    const { budgets: engine, gate } = budgets([]);
    const tripped = await gate.trip({ reason: 'retry storm', actor: 'alice' });
    expect((await admit(engine)).blocked).toEqual({
      code: 'COSTCTL_GATE_TRIPPED',
      rule: 'gate',
      spent: 0,
      limit: 0,
      reason: 'retry storm',
      actor: 'alice',
      since: tripped.since,
    });
  });

  it('replaces the worst case by the real cost when the call settles', async () => {
    const { budgets: engine, store } = budgets([rule({ limit: worstCase * 1.5 })]);
    const first = await admit(engine);
    if (first.blocked || !first.reservation) throw new Error('expected a reservation');
    first.reservation.settle(settled(worstCase / 10));
    expect((await admit(engine)).blocked).toBeUndefined();
    const window = engine.rules[0]!.windowAt(Date.now()).window;
    expect(store.read(window, Date.now())).toEqual({ spent: worstCase / 10, reserved: expect.closeTo(worstCase, 15) });
  });

  it('keeps the worst case of a billed call whose usage could not be read, in dollars and tokens', async () => {
    const { budgets: engine, store } = budgets([rule({ limit: worstCase * 10 }), rule({ name: 'tokens', unit: 'tokens', limit: 1e9 })]);
    const first = await admit(engine);
    if (first.blocked || !first.reservation) throw new Error('expected a reservation');
    const unread = { cost: undefined, usage: { input: 0, output: 0 }, billable: true, unpricedReason: 'body_unobservable' } as unknown as CallResult;
    first.reservation.settle(unread);
    const now = Date.now();
    expect(store.read(engine.rules[0]!.windowAt(now).window, now)).toEqual({ spent: expect.closeTo(worstCase, 15), reserved: 0 });
    expect(store.read(engine.rules[1]!.windowAt(now).window, now)).toEqual({ spent: 1000 + 1000, reserved: 0 });
    // A billed call that reached budgets with no cost at all keeps its worst case too: never $0.
    const second = await admit(engine);
    if (second.blocked || !second.reservation) throw new Error('expected a reservation');
    second.reservation.settle({ cost: undefined, usage: { input: 7, output: 3 }, billable: true, unpricedReason: 'unknown_model' } as unknown as CallResult);
    expect(store.read(engine.rules[0]!.windowAt(now).window, now)).toEqual({ spent: expect.closeTo(2 * worstCase, 15), reserved: 0 });
    expect(store.read(engine.rules[1]!.windowAt(now).window, now)).toEqual({ spent: 4000, reserved: 0 });
  });

  it('settles a call on provisioned capacity with no dollars, its tokens and its request still counted', async () => {
    const { budgets: engine, store } = budgets([
      rule({ limit: worstCase * 10 }),
      rule({ name: 'tokens', unit: 'tokens', limit: 1e9 }),
      rule({ name: 'requests', unit: 'requests', limit: 100 }),
    ]);
    const admitted = await admit(engine);
    if (admitted.blocked || !admitted.reservation) throw new Error('expected a reservation');
    // Vertex AI's PROVISIONED_THROUGHPUT: paid by the hour, no per-call cost, and no fallback estimate either.
    admitted.reservation.settle({ cost: undefined, usage: { input: 30, output: 12 }, billable: true, unpricedReason: 'provisioned' } as unknown as CallResult);
    const now = Date.now();
    expect(store.read(engine.rules[0]!.windowAt(now).window, now)).toEqual({ spent: 0, reserved: 0 });
    expect(store.read(engine.rules[1]!.windowAt(now).window, now)).toEqual({ spent: 42, reserved: 0 });
    expect(store.read(engine.rules[2]!.windowAt(now).window, now)).toEqual({ spent: 1, reserved: 0 });
  });

  it('counts in a tokens rule the tokens of steps billed outside the top-level usage (a compaction)', async () => {
    const { budgets: engine, store } = budgets([rule({ name: 'tokens', unit: 'tokens', limit: 1e9 })]);
    const admitted = await admit(engine);
    if (admitted.blocked || !admitted.reservation) throw new Error('expected a reservation');
    const step = { kind: 'compaction', usage: { input: 55196, output: 131, cacheRead: 0, cacheWrite: 55096, reasoning: 0 } };
    admitted.reservation.settle({ cost: { usd: 0.2 }, usage: { input: 229, output: 5 }, steps: [step], billable: true } as unknown as CallResult);
    const now = Date.now();
    expect(store.read(engine.rules[0]!.windowAt(now).window, now)).toEqual({ spent: 229 + 5 + 55196 + 131, reserved: 0 });
  });

  // Regression: a model the price data does not know reserved $0, so three such calls passed a $0.0000001 daily limit.
  it("reserves a call to an unknown model at the provider's highest known prices", async () => {
    const { budgets: engine, store } = budgets([rule({ name: 'daily', limit: 1e-7 }), rule({ name: 'roomy', limit: 1000 })]);
    const unknown = call({ model: 'gpt-9-preview', request: request({ model: 'gpt-9-preview' }) });
    const refused = (await admit(engine, unknown)).blocked;
    // o1-pro is OpenAI's dearest in the price data: $150 per million input tokens, $600 per million output tokens.
    const fallback = (1000 * 150 + 1000 * 600) / 1e6;
    expect(refused).toMatchObject({ rule: 'daily', spent: 0, reserve: expect.closeTo(fallback, 12), fallbackPrice: true, reserveSource: 'max_tokens' });
    const { budgets: roomy } = budgets([rule({ name: 'roomy', limit: 1000 })], store);
    await admit(roomy, unknown);
    expect(store.read(roomy.rules[0]!.windowAt(Date.now()).window, Date.now()).reserved).toBeCloseTo(fallback, 12);
  });

  it('blocks a call to an unknown model under a dollar rule when unknownModel is block, and only then', async () => {
    const store = new MemoryStore();
    const gate = new Gate(store, store.gate());
    const options = { timeZone: 'UTC', defaultMaxOutputTokens: 4096, leaseMillis: 60_000, unknownModel: 'block' as const };
    const engine = new Budgets([rule({ name: 'daily', limit: 1000 })], store, gate, new PriceTable(), options);
    const unknown = call({ model: 'gpt-9-preview', request: request({ model: 'gpt-9-preview' }) });
    expect((await admit(engine, unknown)).blocked).toMatchObject({ code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'daily', unpricedModel: 'openai/gpt-9-preview' });
    expect((await admit(engine)).blocked).toBeUndefined();
    const counting = new Budgets(
      [rule({ name: 'rpm', unit: 'requests', limit: 1000 }), rule({ name: 'watch', action: 'alert' })],
      store,
      gate,
      new PriceTable(),
      options,
    );
    expect((await admit(counting, unknown)).blocked).toBeUndefined();
  });

  // Regression: a daily limit added after $S was spent today started from $0 (counters were keyed by rule name alone).
  it('counts the spend its window already had in a rule first seen mid-window, in its own scope', async () => {
    const store = new MemoryStore();
    const { budgets: before } = budgets([rule({ name: 'monthly', limit: 100, window: 'month' })], store);
    for (let i = 0; i < 3; i++) {
      const admitted = await admit(before);
      if (admitted.blocked || !admitted.reservation) throw new Error('expected a reservation');
      admitted.reservation.settle(settled(worstCase));
    }
    const { budgets: after } = budgets(
      [
        rule({ name: 'monthly', limit: 100, window: 'month' }),
        rule({ name: 'daily', limit: 3.5 * worstCase }),
        rule({ name: 'anthropic_daily', limit: worstCase / 2, scope: { provider: 'anthropic' } }),
        rule({ name: 'hourly_requests', unit: 'requests', limit: 3, window: 'rolling:1h' }),
      ],
      store,
    );
    const now = Date.now();
    const spentIn = (name: string) => store.read(after.rules.find((r) => r.name === name)!.windowAt(now).window, now).spent;
    expect(spentIn('monthly')).toBeCloseTo(3 * worstCase, 15);
    expect(spentIn('daily')).toBeCloseTo(3 * worstCase, 15);
    expect(spentIn('anthropic_daily')).toBe(0);
    expect(spentIn('hourly_requests')).toBe(3);
    expect((await admit(after)).blocked).toMatchObject({ rule: 'daily', spent: expect.closeTo(3 * worstCase, 15) });
    // Seeded once: a third start counts nothing twice.
    budgets([rule({ name: 'daily', limit: 3.5 * worstCase })], store);
    expect(spentIn('daily')).toBeCloseTo(3 * worstCase, 15);
  });

  it('counts calls no rule held, summed and written in one store operation, for rules added later', async () => {
    const store = new MemoryStore();
    const { budgets: before } = budgets([rule({ name: 'anthropic_only', scope: { provider: 'anthropic' } })], store);
    const result = (usd: number) =>
      ({ provider: 'openai', requestModel: 'gpt-4o-mini', labels: {}, outcome: 'ok', usage: { input: 10, output: 5 }, cost: { usd } }) as unknown as CallResult;
    before.record(result(worstCase));
    before.record(result(worstCase));
    before.record({ ...result(worstCase), outcome: 'blocked' } as CallResult);
    await before.flush();
    const { budgets: after } = budgets([rule({ name: 'daily', limit: 1.5 * worstCase }), rule({ name: 'tokens', unit: 'tokens', limit: 1e6 })], store);
    const now = Date.now();
    expect(store.read(after.rules[0]!.windowAt(now).window, now).spent).toBeCloseTo(2 * worstCase, 15);
    expect(store.read(after.rules[1]!.windowAt(now).window, now).spent).toBe(30);
    expect((await admit(after)).blocked?.rule).toBe('daily');
  });

  it('counts in the aggregates of calls no rule held the tokens of their steps billed outside the top-level usage', async () => {
    const store = new MemoryStore();
    const { budgets: before } = budgets([rule({ name: 'anthropic_only', scope: { provider: 'anthropic' } })], store);
    const step = { kind: 'compaction', usage: { input: 100, output: 20, cacheRead: 0, cacheWrite: 0, reasoning: 0 } };
    before.record({
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      labels: {},
      outcome: 'ok',
      usage: { input: 10, output: 5 },
      steps: [step],
      cost: { usd: worstCase },
    } as unknown as CallResult);
    await before.flush();
    const { budgets: after } = budgets([rule({ name: 'tokens', unit: 'tokens', limit: 1e6 })], store);
    const now = Date.now();
    expect(store.read(after.rules[0]!.windowAt(now).window, now).spent).toBe(10 + 5 + 100 + 20);
  });

  it('reserves the default output tokens when the request sets no max_tokens', async () => {
    const { budgets: engine, store } = budgets([rule({ unit: 'tokens', limit: 1e9 })]);
    await admit(engine, call({ request: request({ maxOutputTokens: undefined }) }));
    expect(store.read(engine.rules[0]!.windowAt(Date.now()).window, Date.now()).reserved).toBe(1000 + 4096);
  });

  // Regression: a priority call reserved the standard price, so a budget let through twice what it could hold.
  it("reserves the price of the tier the request asks for: OpenAI's priority price, half for flex", async () => {
    const { budgets: engine, store } = budgets([rule({ limit: 1 })]);
    const reservedBy = async (serviceTier: string | undefined) => {
      const now = Date.now();
      const window = engine.rules[0]!.windowAt(now).window;
      const before = store.read(window, now).reserved;
      await admit(engine, call({ request: request({ serviceTier }) }));
      return store.read(window, Date.now()).reserved - before;
    };
    // gpt-4o-mini on priority: $0.25/M input, $1/M output (https://openai.com/api-priority-processing/).
    expect(await reservedBy('priority')).toBeCloseTo((1000 * 0.25 + 1000 * 1) / 1e6, 15);
    expect(await reservedBy('flex')).toBeCloseTo(worstCase / 2, 15);
    expect(await reservedBy('default')).toBeCloseTo(worstCase, 15);
    expect(await reservedBy(undefined)).toBeCloseTo(worstCase, 15);
  });

  it('applies a rule only to calls its scope matches', async () => {
    const { budgets: engine } = budgets([rule({ unit: 'requests', limit: 1, scope: { provider: 'openai', tenant: 'acme' } })]);
    const acme = call({ labels: { tenant: 'acme' } });
    expect((await admit(engine, acme)).blocked).toBeUndefined();
    expect((await admit(engine, acme)).blocked?.rule).toBe('r');
    expect((await admit(engine, call({ labels: { tenant: 'globex' } }))).blocked).toBeUndefined();
    expect((await admit(engine, call({ provider: 'anthropic', labels: { tenant: 'acme' } }))).blocked).toBeUndefined();
  });

  it('never blocks on an alert rule', async () => {
    const { budgets: engine } = budgets([rule({ unit: 'requests', limit: 1, action: 'alert' })]);
    for (let i = 0; i < 3; i++) expect((await admit(engine)).blocked).toBeUndefined();
  });

  it('trips the gate from a trip rule, and the gate then blocks every call', async () => {
    const { budgets: engine, gate, store } = budgets([rule({ name: 'runaway', unit: 'requests', limit: 1, action: 'trip', scope: { model: 'gpt-4o-mini' } })]);
    await admit(engine);
    expect((await admit(engine)).blocked).toMatchObject({ code: 'COSTCTL_GATE_TRIPPED', rule: 'gate' });
    expect(gate.state()).toMatchObject({ tripped: true, actor: 'rule:runaway' });
    expect((await admit(engine, call({ model: 'gpt-4o' }))).blocked?.code).toBe('COSTCTL_GATE_TRIPPED');
    expect(store.audit()).toHaveLength(1);
  });

  it('counts a rolling window over its last buckets, so old spend slides out', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 12) });
    const { budgets: engine } = budgets([rule({ unit: 'requests', limit: 2, window: 'rolling:1m' })]);
    await admit(engine);
    vi.advanceTimersByTime(30_000);
    await admit(engine);
    expect((await admit(engine)).blocked?.rule).toBe('r');
    vi.advanceTimersByTime(31_000);
    expect((await admit(engine)).blocked).toBeUndefined();
    expect((await admit(engine)).blocked?.rule).toBe('r');
  });

  it('starts a new calendar day at midnight in the configured zone', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 22, 59) }); // 23:59 in Paris
    const store = new MemoryStore();
    const gate = new Gate(store, store.gate());
    const engine = new Budgets([rule({ unit: 'requests', limit: 1 })], store, gate, new PriceTable(), {
      timeZone: 'Europe/Paris',
      defaultMaxOutputTokens: 4096,
      leaseMillis: 600_000,
    });
    await admit(engine);
    expect((await admit(engine)).blocked).toBeDefined();
    vi.advanceTimersByTime(60_000); // 00:00 in Paris, still 23:00 UTC
    expect((await admit(engine)).blocked).toBeUndefined();
  });
});
