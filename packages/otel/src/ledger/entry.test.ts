import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../model/call-result.js';
import type { TokenUsage } from '../model/usage.js';
import { billedTokensOf, ledgerLine, type LedgerEntry } from './entry.js';

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
// Any number a buggy reader could produce, NaN and infinities included: the line must still be the JSON of the entry.
const anyNumber = fc.oneof(fc.nat(), fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0));
const anyText = fc.string({ unit: 'binary' });

const anyUsage = fc.record({ input: anyNumber, output: anyNumber, cacheRead: anyNumber, cacheWrite: anyNumber, reasoning: anyNumber });

const callResult: fc.Arbitrary<CallResult> = fc.record({
  provider: anyText,
  operation: anyText,
  requestModel: maybe(anyText),
  responseModel: maybe(anyText),
  responseId: maybe(anyText),
  outcome: fc.constantFrom('ok', 'error', 'blocked'),
  errorType: maybe(anyText),
  durationSeconds: anyNumber,
  labels: fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.boolean(), fc.constant(undefined))),
  billable: fc.boolean(),
  usage: anyUsage,
  model: maybe(anyText),
  cost: maybe(fc.record({ usd: anyNumber, source: fc.constantFrom('provider', 'price_table', 'estimated'), pricedModel: anyText })),
  unpricedReason: maybe(anyText),
  budgetUsd: maybe(anyNumber),
  units: maybe(fc.dictionary(anyText, anyNumber)),
  steps: maybe(fc.array(fc.record({ kind: anyText, model: maybe(anyText), usage: anyUsage }, { requiredKeys: ['kind', 'usage'] }), { maxLength: 3 })),
}) as fc.Arbitrary<CallResult>;

function tokensOf(usage: TokenUsage): LedgerEntry['tokens'] {
  return { input: usage.input, output: usage.output, cache_read: usage.cacheRead, cache_write: usage.cacheWrite, reasoning: usage.reasoning };
}

/** The entry a call's line must hold, built as plain objects in the interface's key order. */
function expectedEntry(result: CallResult, now: number): LedgerEntry {
  return {
    time: new Date(now).toISOString(),
    provider: result.provider,
    operation: result.operation,
    model: result.requestModel ?? result.model ?? null,
    response_model: result.responseModel ?? null,
    response_id: result.responseId ?? null,
    outcome: result.outcome,
    tokens: tokensOf(result.usage),
    ...(result.steps === undefined || result.steps.length === 0
      ? {}
      : { steps: result.steps.map((step) => ({ kind: step.kind, ...(step.model === undefined ? {} : { model: step.model }), tokens: tokensOf(step.usage) })) }),
    ...(result.units === undefined ? {} : { units: result.units }),
    cost_usd: result.cost?.usd ?? null,
    cost_source: result.cost?.source ?? null,
    unpriced_reason: result.unpricedReason ?? null,
    ...(result.budgetUsd === undefined ? {} : { budget_usd: result.budgetUsd }),
    duration_s: Math.round(result.durationSeconds * 1000) / 1000,
    // fromEntries keeps a label named __proto__ as a label.
    labels: Object.fromEntries(Object.entries(result.labels).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]]))),
    pid: process.pid,
  };
}

describe('ledgerLine', () => {
  it("writes exactly the JSON of the call's ledger entry, one line, for any call", () => {
    fc.assert(
      fc.property(callResult, fc.integer({ min: 0, max: 4_102_444_800_000 }), (result, now) => {
        expect(ledgerLine(result, now)).toBe(`${JSON.stringify(expectedEntry(result, now))}\n`);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the time as Date does for calls in the same minute, across minutes, and back in time', () => {
    const result = fc.sample(callResult, { numRuns: 1, seed: 19 })[0]!;
    const start = Date.UTC(2026, 11, 31, 23, 58, 59, 990);
    // Steps of 7 ms and 997 ms cross seconds, minutes, the year, then the clock is set back a minute and forward again.
    const times = [...Array.from({ length: 300 }, (_, i) => start + i * 7), ...Array.from({ length: 150 }, (_, i) => start + i * 997)];
    times.push(start - 60_000, start, start + 60_000, 0, -1, -60_001, 253_402_300_799_999);
    for (const now of times) expect(JSON.parse(ledgerLine(result, now)).time).toBe(new Date(now).toISOString());
  });
});

describe('billedTokensOf', () => {
  const tokens = (input: number, output: number) => ({ input, output, cache_read: 0, cache_write: 0, reasoning: 0 });

  it("adds the steps' input and output to the call's, as token rules count them", () => {
    // pydantic-ai's recorded compaction: 229 in and 5 out at the top level, 55,196 in and 131 out in the compaction step.
    const entry = { tokens: tokens(229, 5), steps: [{ kind: 'compaction', tokens: { ...tokens(55196, 131), cache_write: 55096 } }] };
    expect(billedTokensOf(entry)).toEqual({ input: 229 + 55196, output: 5 + 131 });
  });

  it('reads a line written before steps were kept, and one whose counts were not numbers, as what it has', () => {
    expect(billedTokensOf({ tokens: tokens(600, 400) })).toEqual({ input: 600, output: 400 });
    expect(billedTokensOf(JSON.parse('{"tokens":{"input":null,"output":7},"steps":[{"kind":"compaction","tokens":{"input":3,"output":null}}]}'))).toEqual({
      input: 3,
      output: 7,
    });
    expect(billedTokensOf({})).toEqual({ input: 0, output: 0 });
  });
});
