import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Budgets } from '../budget/budgets.js';
import { FallbackPrices } from '../budget/fallback-price.js';
import type { RuleConfig } from '../config/schema.js';
import { Gate } from '../gate/gate.js';
import { ledgerLine } from '../ledger/entry.js';
import type { CallResult } from '../model/call-result.js';
import { CostctlArgumentError, CostctlBlockedError } from '../model/errors.js';
import { PriceTable } from '../pricing/price-table.js';
import { FileStore } from '../store/file.js';
import { MemoryStore } from '../store/memory.js';
import type { CostStore, WindowSpend } from '../store/types.js';
import { check, lendManualSpend, recordCost, reserve } from './manual.js';
import { ManualSpend } from './manual-spend.js';
import { priceModel } from './price-model.js';

const rule = (patch: Partial<RuleConfig>): RuleConfig => ({
  name: 'daily',
  limit: 1,
  unit: 'usd',
  window: 'day',
  scope: {},
  warnAt: 0.7,
  criticalAt: 0.9,
  action: 'block',
  ...patch,
});

// OpenAI's dearest model in the price data (o1-pro): USD per token, input and output.
const HIGHEST = { input: 150 / 1e6, output: 600 / 1e6 };
const gpt4oMini = (input: number, output: number) => priceModel({ provider: 'openai', model: 'gpt-4o-mini', input, output })!.usd;

let giveBack: (() => void) | undefined;
afterEach(() => giveBack?.());

/** A costctl's stages on a memory store: real budgets, gate and pricing, and the results the sinks got. */
function running(rules: RuleConfig[] = [], labelKeys: string[] = [], store: CostStore = new MemoryStore()) {
  const gate = new Gate(store, store.gate());
  const table = new PriceTable();
  const fallback = new FallbackPrices({}, 4096);
  const budgets = new Budgets(rules, store, gate, table, { timeZone: 'UTC', defaultMaxOutputTokens: 4096, leaseMillis: 60_000, fallback });
  const results: CallResult[] = [];
  const sink = { record: (result: CallResult) => void results.push(result) };
  giveBack = lendManualSpend(
    new ManualSpend({ table, fallback, sink: { record: (result) => (sink.record(result), budgets.record(result)) }, budgets, labelKeys }),
  );
  // The tests here run on synchronous stores.
  const spent = (name = 'daily') => store.read(budgets.rules.find((r) => r.name === name)!.entry(0, Date.now()).window, Date.now()) as WindowSpend;
  return { store, gate, budgets, results, spent };
}

describe('recordCost', () => {
  it('prices usage from the price table and commits it to every matching rule, marked manual in the ledger', () => {
    const { results, spent } = running([rule({ limit: 10 })]);
    const recorded = recordCost({ provider: 'openai', model: 'gpt-4o-mini', usage: { input: 5200, output: 1800, cacheRead: 4000 }, id: 'sess_1' });
    const expected = priceModel({ provider: 'openai', model: 'gpt-4o-mini', input: 5200, output: 1800, cacheRead: 4000 })!.usd;
    expect(recorded).toEqual({ usd: expected, costSource: 'price_table', unpricedReason: undefined, budgetUsd: expected });
    expect(spent()).toEqual({ spent: expected, reserved: 0 });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      outcome: 'ok',
      billable: true,
      source: 'manual',
      responseId: 'sess_1',
    });
    expect(JSON.parse(ledgerLine(results[0]!, Date.now()))).toMatchObject({
      source: 'manual',
      response_id: 'sess_1',
      cost_source: 'price_table',
      tokens: { input: 5200, output: 1800, cache_read: 4000 },
    });
  });

  it("prices a Realtime session's audio at its own rates, as an HTTP answer's audio is", () => {
    const { results } = running();
    const recorded = recordCost({
      provider: 'openai',
      model: 'gpt-realtime',
      usage: { input: 5200, output: 1800, cacheRead: 4000 },
      media: { inputAudio: 3000, outputAudio: 1500, cacheReadAudio: 2000 },
    });
    // gpt-realtime per million: text $4 in, $0.40 cached, $16 out; audio $32 in, $0.40 cached, $64 out.
    const expected = (200 * 4 + 1000 * 32 + 2000 * 0.4 + 2000 * 0.4 + 300 * 16 + 1500 * 64) / 1e6;
    expect(recorded?.usd).toBeCloseTo(expected, 12);
    expect(results[0]!.mediaTokens).toEqual({ inputAudio: 3000, outputAudio: 1500, cacheReadAudio: 2000 });
    expect(() => recordCost({ provider: 'openai', usd: 1, media: { audio: 5 } as never })).toThrow('media.audio is 5; expected one of inputAudio,');
  });

  it("counts the amount billed when usd is given, as the provider's own figure", () => {
    const { spent } = running([rule({ limit: 10 })]);
    expect(recordCost({ provider: 'acme-search', usd: 0.42, operation: 'search' })).toEqual({
      usd: 0.42,
      costSource: 'provider',
      unpricedReason: undefined,
      budgetUsd: 0.42,
    });
    expect(spent().spent).toBeCloseTo(0.42, 12);
  });

  it("counts a model the price data does not know at the provider's highest known price, unpriced: never $0", () => {
    const { results, spent } = running([rule({ limit: 10 })]);
    const recorded = recordCost({ provider: 'openai', model: 'gpt-9-realtime', usage: { input: 1000, output: 100 } });
    const estimate = 1000 * HIGHEST.input + 100 * HIGHEST.output;
    expect(recorded).toEqual({ usd: undefined, costSource: undefined, unpricedReason: 'unknown_model', budgetUsd: expect.closeTo(estimate, 12) });
    expect(results[0]).toMatchObject({ cost: undefined, unpricedReason: 'unknown_model', budgetUsd: expect.closeTo(estimate, 12) });
    expect(spent().spent).toBeCloseTo(estimate, 12);
    // No model named, or a provider the price data does not know at all: still an estimate, never $0.
    expect(recordCost({ provider: 'openai', usage: { input: 1000, output: 100 } })).toMatchObject({
      unpricedReason: 'no_model',
      budgetUsd: expect.closeTo(estimate, 12),
    });
    const unknownProvider = recordCost({ provider: 'acme-llm', model: 'acme-7b', usage: { input: 1000, output: 100 } });
    expect(unknownProvider).toMatchObject({ usd: undefined, unpricedReason: 'unknown_model' });
    expect(unknownProvider!.budgetUsd).toBeGreaterThanOrEqual(estimate);
  });

  it('records spend that happened even past an exhausted rule and through a tripped gate', async () => {
    const { gate, spent } = running([rule({ limit: gpt4oMini(1000, 1000) })]);
    await gate.trip({ reason: 'test', actor: 'op' });
    recordCost({ provider: 'openai', model: 'gpt-4o-mini', usage: { input: 1000, output: 1000 } });
    recordCost({ provider: 'openai', model: 'gpt-4o-mini', usage: { input: 1000, output: 1000 } });
    expect(spent().spent).toBeCloseTo(2 * gpt4oMini(1000, 1000), 12);
  });

  it('counts only rules whose scope matches, and keeps only allow-listed labels', () => {
    const { results, spent } = running(
      [rule({ name: 'acme', limit: 10, scope: { tenant: 'acme' } }), rule({ name: 'anthropic', limit: 10, scope: { provider: 'anthropic' } })],
      ['tenant'],
    );
    recordCost({ provider: 'openai', model: 'gpt-4o-mini', usage: { input: 1000, output: 1000 }, labels: { tenant: 'acme', user: 'u-1234' } });
    expect(results[0]!.labels).toEqual({ tenant: 'acme' });
    expect(spent('acme').spent).toBeCloseTo(gpt4oMini(1000, 1000), 12);
    expect(spent('anthropic').spent).toBe(0);
  });

  it('adds to the window aggregates once, so a rule added later counts it once', () => {
    const { store, budgets } = running([rule({ limit: 10 })]);
    recordCost({ provider: 'openai', usd: 0.25 });
    recordCost({ provider: 'anthropic', usd: 0.5, labels: {} });
    void budgets.flush();
    const later = new Budgets([rule({ name: 'later', limit: 10 })], store, new Gate(store, store.gate()), new PriceTable(), {
      timeZone: 'UTC',
      defaultMaxOutputTokens: 4096,
      leaseMillis: 60_000,
    });
    expect((store.read(later.rules[0]!.entry(0, Date.now()).window, Date.now()) as WindowSpend).spent).toBeCloseTo(0.75, 12);
  });

  it.each([
    [{ model: 'gpt-4o-mini', usage: { input: 10 } }, 'provider is undefined; expected the gen_ai.provider.name'],
    [{ provider: 'openai', model: 'gpt-4o-mini' }, 'expected usage (token counts, priced from the price data) or usd (the amount billed), or both'],
    [{ provider: 'openai', usage: { input: -1 } }, 'usage.input is -1; expected a finite number of tokens, 0 or more'],
    [{ provider: 'openai', usd: Number.NaN }, 'usd is NaN; expected a finite number of US dollars'],
    [
      { provider: 'anthropic', usage: { input: 100, cacheRead: 4000 } },
      'usage.input is 100; expected all input tokens, cached ones included: at least usage.cacheRead + usage.cacheWrite (4000)',
    ],
  ])('throws one CostctlArgumentError naming the field for bad input: %j', (spend, message) => {
    running();
    expect(() => recordCost(spend as never)).toThrow(CostctlArgumentError);
    expect(() => recordCost(spend as never)).toThrow(message);
  });
});

describe('reserve', () => {
  it('settles with what was spent and frees the rest of the worst case; a second settle or a release does nothing', async () => {
    const { spent } = running([rule({ limit: 10 })]);
    const held = await reserve({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, maxOutputTokens: 4000 });
    expect(spent()).toEqual({ spent: 0, reserved: expect.closeTo(gpt4oMini(1000, 4000), 12) });
    expect(held.settle({ usage: { input: 1000, output: 200 }, durationSeconds: 3 })).toMatchObject({ usd: expect.closeTo(gpt4oMini(1000, 200), 12) });
    expect(spent()).toEqual({ spent: expect.closeTo(gpt4oMini(1000, 200), 12), reserved: 0 });
    expect(held.settle({ usage: { input: 1000, output: 200 } })).toBeUndefined();
    held.release();
    expect(spent()).toEqual({ spent: expect.closeTo(gpt4oMini(1000, 200), 12), reserved: 0 });
  });

  it('gives everything back on release, and prices a settle under the model the spend names', async () => {
    const { spent, results } = running([rule({ limit: 10 })]);
    const released = await reserve({ provider: 'openai', model: 'gpt-4o-mini', usd: 0.5 });
    expect(spent()).toEqual({ spent: 0, reserved: 0.5 });
    released.release();
    expect(spent()).toEqual({ spent: 0, reserved: 0 });
    expect(results).toHaveLength(0);

    const held = await reserve({ provider: 'openai', model: 'gpt-4o-mini', usd: 0.5 });
    held.settle({ model: 'gpt-4o-mini-2024-07-18', usage: { input: 1000, output: 1000 } });
    expect(results[0]).toMatchObject({
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      cost: { usd: expect.closeTo(gpt4oMini(1000, 1000), 12) },
    });
  });

  it('rejects with the CostctlBlockedError of a blocked HTTP call when a rule would pass its limit, and counts the refusal', async () => {
    const { results, spent } = running([rule({ limit: 0.001 })]);
    recordCost({ provider: 'openai', usd: 0.0009 });
    const refused = reserve({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, maxOutputTokens: 4000 });
    await expect(refused).rejects.toBeInstanceOf(CostctlBlockedError);
    await expect(refused).rejects.toMatchObject({
      code: 'COSTCTL_BUDGET_EXCEEDED',
      rule: 'daily',
      spent: expect.closeTo(0.0009, 12),
      limit: 0.001,
      unit: 'usd',
      reserve: expect.closeTo(gpt4oMini(1000, 4000), 12),
      reserveSource: 'max_tokens',
      message: expect.stringContaining('costctl blocked this call: budget rule "daily" (day) has $0.0009 spent of its $0.001 limit'),
    });
    expect(results.at(-1)).toMatchObject({ outcome: 'blocked', blockedBy: 'daily', billable: false, source: 'manual' });
    expect(spent().reserved).toBe(0);
  });

  it('rejects with COSTCTL_GATE_TRIPPED while the gate is tripped, saying who tripped it and why', async () => {
    const { gate } = running();
    await gate.trip({ reason: 'retry storm', actor: 'alice' });
    await expect(reserve({ provider: 'openai', model: 'gpt-4o-mini' })).rejects.toMatchObject({
      code: 'COSTCTL_GATE_TRIPPED',
      rule: 'gate',
      actor: 'alice',
      reason: 'retry storm',
    });
  });
});

describe('check', () => {
  it('answers as reserve would, holding nothing and tripping nothing', async () => {
    const { gate, spent } = running([rule({ limit: 0.001, action: 'trip' })]);
    expect(await check({ provider: 'openai', model: 'gpt-4o-mini', usd: 0.0005 })).toEqual({ admitted: true });
    const answer = await check({ provider: 'openai', model: 'gpt-4o-mini', usd: 0.002 });
    expect(answer.admitted).toBe(false);
    expect(!answer.admitted && answer.error).toMatchObject({
      code: 'COSTCTL_BUDGET_EXCEEDED',
      rule: 'daily',
      reserve: 0.002,
      reserveSource: 'given',
      maxOutputTokens: undefined,
      limit: 0.001,
      message: expect.stringContaining('and this call could cost up to $0.002 (the worst case given to reserve()), which would pass the limit'),
    });
    expect(spent()).toEqual({ spent: 0, reserved: 0 });
    expect(gate.isTripped()).toBe(false);
  });
});

describe('when costctl is not running or disabled', () => {
  it.each([
    ['not started', () => () => {}],
    ['disabled', () => lendManualSpend('disabled')],
  ])('%s: recordCost records nothing, check admits, reserve holds nothing', async (_, lend) => {
    giveBack = lend();
    expect(recordCost({ provider: 'openai', model: 'gpt-4o-mini', usage: { input: 1, output: 1 } })).toBeUndefined();
    expect(await check({ provider: 'openai', usd: 1e9 })).toEqual({ admitted: true });
    const held = await reserve({ provider: 'openai', usd: 1e9 });
    expect(held.settle({ usd: 1 })).toBeUndefined();
    // Bad input is still told at once: it is a bug in the app wherever it runs.
    expect(() => recordCost({ provider: '' } as never)).toThrow('provider is ""');
  });
});

describe('when the store cannot be used', () => {
  it('recordCost still returns without throwing, and check and reserve are refused by the gate that failed closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'costctl-manual-'));
    // A directory where the state file should be: the file store cannot open it.
    mkdirSync(join(dir, 'state.sqlite'));
    const store = new FileStore(dir, { pollMillis: 10 });
    try {
      running([rule({ limit: 10 })], [], store);
      expect(recordCost({ provider: 'openai', model: 'gpt-4o-mini', usage: { input: 1000, output: 1000 } })).toMatchObject({
        usd: expect.closeTo(gpt4oMini(1000, 1000), 12),
      });
      const answer = await check({ provider: 'openai', model: 'gpt-4o-mini' });
      expect(!answer.admitted && answer.error).toMatchObject({ code: 'COSTCTL_GATE_TRIPPED', actor: 'costctl' });
      await expect(reserve({ provider: 'openai', model: 'gpt-4o-mini' })).rejects.toMatchObject({ code: 'COSTCTL_GATE_TRIPPED', actor: 'costctl' });
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
