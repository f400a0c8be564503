import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../model/call-result.js';
import { ledgerLine, type LedgerEntry } from './entry.js';

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
// Any number a buggy reader could produce, NaN and infinities included: the line must still be the JSON of the entry.
const anyNumber = fc.oneof(fc.nat(), fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0));
const anyText = fc.string({ unit: 'binary' });

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
  usage: fc.record({ input: anyNumber, output: anyNumber, cacheRead: anyNumber, cacheWrite: anyNumber, reasoning: anyNumber }),
  model: maybe(anyText),
  cost: maybe(fc.record({ usd: anyNumber, source: fc.constantFrom('provider', 'price_table', 'estimated'), pricedModel: anyText })),
  unpricedReason: maybe(anyText),
  budgetUsd: maybe(anyNumber),
  units: maybe(fc.dictionary(anyText, anyNumber)),
}) as fc.Arbitrary<CallResult>;

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
    tokens: { input: result.usage.input, output: result.usage.output, cache_read: result.usage.cacheRead, cache_write: result.usage.cacheWrite, reasoning: result.usage.reasoning },
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
  it('writes exactly the JSON of the call\'s ledger entry, one line, for any call', () => {
    fc.assert(
      fc.property(callResult, fc.integer({ min: 0, max: 4_102_444_800_000 }), (result, now) => {
        expect(ledgerLine(result, now)).toBe(`${JSON.stringify(expectedEntry(result, now))}\n`);
      }),
      { numRuns: 2000 },
    );
  });
});
