import { describe, expect, it } from 'vitest';
import type { RuleConfig } from '../config/schema.js';
import type { AggregateSpend } from '../store/types.js';
import type { CallResult } from '../model/call-result.js';
import { UnheldCalls, WindowAggregates } from './aggregates.js';
import { BudgetRule } from './rules.js';

const rule = (patch: Partial<RuleConfig>): BudgetRule =>
  new BudgetRule({ name: 'r', limit: 1, unit: 'usd', window: 'day', scope: {}, warnAt: 0.7, criticalAt: 0.9, action: 'block', ...patch }, 'Europe/Paris');
const now = Date.UTC(2026, 11, 3, 10, 30); // 11:30 in Paris
const aggregates = new WindowAggregates('Europe/Paris');

describe('WindowAggregates', () => {
  it("adds each call to the zone's hour and day and to all time, by every dimension of its scope", () => {
    expect(aggregates.windowsAt(now).map((window) => window.prefix)).toEqual(['hour:2026-12-03T11|', 'day:2026-12-03|', 'total|']);
    expect(aggregates.windowsAt(now + 60_000)).toBe(aggregates.windowsAt(now));
    expect(aggregates.dimensions({ provider: 'openai', model: 'gpt-4o-mini', labels: { tenant: 'acme' } })).toEqual([
      '*',
      'provider=openai',
      'model=gpt-4o-mini',
      'label:tenant=acme',
    ]);
  });

  it('seeds a rule from the aggregates of its window and scope, one list per dimension', () => {
    const seed = aggregates.seedOf(rule({ name: 'acme_openai', scope: { tenant: 'acme', provider: 'openai' } }), now);
    expect(seed).toMatchObject({
      counter: 'acme_openai|day:2026-12-03',
      unit: 'usd',
      from: [['day:2026-12-03|provider=openai'], ['day:2026-12-03|label:tenant=acme']],
    });
    expect(aggregates.seedOf(rule({ window: 'month' }), now).from).toEqual([['day:2026-12-01|*', 'day:2026-12-02|*', 'day:2026-12-03|*']]);
    expect(aggregates.seedOf(rule({ window: 'total' }), now).from).toEqual([['total|*']]);
  });

  it('overstates what it cannot know exactly: a minute by its hour, a rolling window by the whole hours or days it overlaps', () => {
    expect(aggregates.seedOf(rule({ window: 'minute' }), now).from).toEqual([['hour:2026-12-03T11|*']]);
    expect(aggregates.seedOf(rule({ window: 'rolling:90m' }), now).from).toEqual([['hour:2026-12-03T10|*', 'hour:2026-12-03T11|*']]);
    expect(aggregates.seedOf(rule({ window: 'rolling:3d' }), now).from).toEqual([
      ['day:2026-11-30|*', 'day:2026-12-01|*', 'day:2026-12-02|*', 'day:2026-12-03|*'],
    ]);
  });

  it('seeds a prepaid balance from the days since it was bought', () => {
    const credits = rule({
      name: 'credits_openai',
      window: 'total',
      scope: { provider: 'openai' },
      credits: { provider: 'openai', since: Date.UTC(2026, 11, 1, 23) },
    });
    expect(aggregates.seedOf(credits, now).from).toEqual([['day:2026-12-02|provider=openai', 'day:2026-12-03|provider=openai']]);
  });

  it('tells definitions apart by unit, window and scope, not by limit', () => {
    const seen = (patch: Partial<RuleConfig>) => aggregates.seedOf(rule(patch), now).seen;
    expect(seen({ limit: 5 })).toBe(seen({ limit: 10 }));
    expect(seen({ unit: 'tokens' })).not.toBe(seen({}));
    expect(seen({ scope: { provider: 'openai' } })).not.toBe(seen({}));
  });
});

describe('UnheldCalls', () => {
  const result = (patch: Partial<CallResult>): CallResult => ({
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o-mini',
    responseModel: undefined,
    responseId: undefined,
    outcome: 'ok',
    errorType: undefined,
    durationSeconds: 0.1,
    labels: {},
    billable: true,
    usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    model: 'gpt-4o-mini',
    cost: { usd: 0.5, source: 'price_table', pricedModel: 'gpt-4o-mini' },
    unpricedReason: undefined,
    ...patch,
  });

  it('sums the calls no rule held by their scope, each call once, and writes them in one store operation', async () => {
    const written: AggregateSpend[][] = [];
    const store = { commit: (_id: string, _spend: unknown, _now: number, aggregates: AggregateSpend[]) => void written.push(aggregates) };
    const unheld = new UnheldCalls(store as never, new WindowAggregates('UTC'));
    const once = result({});
    for (const call of [
      once,
      once,
      result({}),
      result({ requestModel: 'gpt-4o' }),
      result({ provider: 'anthropic' }),
      result({ labels: { tenant: 'acme' } }),
    ]) {
      unheld.record(call);
    }
    unheld.record(result({ labels: { tenant: 'acme' } }));
    await unheld.flush();
    expect(written).toHaveLength(1);
    expect(written[0]!.map(({ dimensions, usd, requests }) => ({ dimensions, usd, requests }))).toEqual([
      { dimensions: ['*', 'provider=openai', 'model=gpt-4o-mini'], usd: 1, requests: 2 },
      { dimensions: ['*', 'provider=openai', 'model=gpt-4o'], usd: 0.5, requests: 1 },
      { dimensions: ['*', 'provider=anthropic', 'model=gpt-4o-mini'], usd: 0.5, requests: 1 },
      { dimensions: ['*', 'provider=openai', 'model=gpt-4o-mini', 'label:tenant=acme'], usd: 1, requests: 2 },
    ]);
  });

  it('sums each call under its own dimensions, whichever scopes it shares and however many it has seen', async () => {
    const written: AggregateSpend[][] = [];
    const store = { commit: (_id: string, _spend: unknown, _now: number, aggregates: AggregateSpend[]) => void written.push(aggregates) };
    const windows = new WindowAggregates('UTC');
    const unheld = new UnheldCalls(store as never, windows);
    const calls: CallResult[] = [];
    // Past the bound of kept scopes (1024), then the first ones again: each set of dimensions is still its own.
    for (let i = 0; i < 12_000; i++) {
      const model = [undefined, '', 'gpt-4o', 'gpt-4o-mini'][i % 4];
      const labels = [{}, { tenant: `t${i % 1500}` }, { tenant: 'acme', team: 'x' }, { team: 'x', tenant: 'acme' }, { tenant: undefined }, { n: i % 3 }][
        Math.floor(i / 4) % 6
      ]!;
      calls.push(
        result({ provider: i % 5 === 0 ? 'anthropic' : 'openai', requestModel: model, labels, cost: { usd: 1, source: 'price_table', pricedModel: '' } }),
      );
    }
    const expected = new Map<string, number>();
    for (const call of calls) {
      unheld.record(call);
      const key = JSON.stringify(windows.dimensions({ provider: call.provider, model: call.requestModel, labels: call.labels }));
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    await unheld.flush();
    const sums = written[0]!.map(({ dimensions, usd, requests }) => [JSON.stringify(dimensions), usd, requests]);
    expect(sums).toHaveLength(expected.size);
    expect(new Map(sums.map(([key, usd]) => [key, usd]))).toEqual(expected);
    expect(sums.every(([, usd, requests]) => usd === requests)).toBe(true);
  });
});
