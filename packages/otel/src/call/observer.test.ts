import { afterEach, describe, expect, it } from 'vitest';
import type { Admission, Budgets, Reservation } from '../budget/budgets.js';
import { jsonLogger, setLogger } from '../model/logger.js';
import { PriceTable } from '../pricing/price-table.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from './endpoints.js';
import { CallObserver } from './observer.js';

const completion = new TextEncoder().encode(
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o-mini',
    choices: [],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
  }),
);

/** A reservation that remembers what it was settled with. */
function reservation(): Reservation & { settled: CallResult[] } {
  const settled: CallResult[] = [];
  return { settled, settle: (result) => void settled.push(result), release: () => {} };
}

function setUp(admit: () => Admission | Promise<Admission>) {
  const results: CallResult[] = [];
  const matcher = new EndpointMatcher([{ provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1' }]);
  const budgets = { admit } as unknown as Budgets;
  const observer = new CallObserver(matcher, [], { table: new PriceTable(), sink: { record: (result) => void results.push(result) } }, budgets);
  const call = observer.observe('POST', 'http://127.0.0.1:9', '127.0.0.1:9', '/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] }))!;
  const finish = () => {
    call.responseStarted(200, (name) => (name === 'content-type' ? 'application/json' : undefined));
    call.data(completion);
    call.ended();
  };
  return { observer, call, results, finish };
}

const warnings: string[] = [];
setLogger({ ...jsonLogger('error'), warn: (message: string) => void warnings.push(message) });
afterEach(() => {
  warnings.length = 0;
});

describe('CallObserver.admitNow, for requests that cannot be held', () => {
  it('answers an admission known now, and records a refused call as blocked', () => {
    const held = reservation();
    const admitted = setUp(() => ({ blocked: undefined, reservation: held }));
    expect(admitted.observer.admitNow(admitted.call)).toEqual({ blocked: undefined, reservation: held });
    admitted.finish();
    expect(held.settled.map((result) => result.usage.input)).toEqual([12]);

    const block = { code: 'COSTCTL_GATE_TRIPPED' as const, rule: 'gate', spent: 0, limit: 0 };
    const refused = setUp(() => ({ blocked: block, reservation: undefined }));
    expect(refused.observer.admitNow(refused.call)?.blocked).toEqual(block);
    expect(refused.results.map((result) => result.outcome)).toEqual(['blocked']);
  });

  it('lets the call go when the store answers later, and settles the reservation it then gets, even after the call ended', async () => {
    const held = reservation();
    let answer: (admission: Admission) => void = () => {};
    const late = setUp(() => new Promise<Admission>((resolve) => (answer = resolve)));
    expect(late.observer.admitNow(late.call)).toBeUndefined();
    late.finish();
    expect(late.results.map((result) => result.outcome)).toEqual(['ok']);
    answer({ blocked: undefined, reservation: held });
    await new Promise((resolve) => setImmediate(resolve));
    expect(late.call.reservation).toBe(held);
    expect(held.settled).toEqual([late.results[0]]);
  });

  it('keeps a call the store refuses too late as the ok call it was, and says once that budgets miss it', async () => {
    const block = { code: 'COSTCTL_BUDGET_EXCEEDED' as const, rule: 'daily_usd', spent: 1, limit: 1 };
    for (let i = 0; i < 2; i++) {
      const late = setUp(() => Promise.resolve({ blocked: block, reservation: undefined }));
      expect(late.observer.admitNow(late.call)).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      late.finish();
      expect(late.results.map((result) => [result.outcome, result.usage.output])).toEqual([['ok', 5]]);
    }
    // One warning per observer: each setUp made its own.
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/not counted in budgets/);
  });
});
