import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../model/call-result.js';
import { CostMetrics } from './cost-metrics.js';
import { MAX_SERIES } from './series-totals.js';

const call = (patch: Partial<CallResult> = {}): CallResult => ({
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  responseId: 'r',
  outcome: 'ok',
  errorType: undefined,
  durationSeconds: 0.2,
  labels: {},
  billable: true,
  usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  model: 'gpt-4o-mini',
  cost: { usd: 0.001, source: 'price_table', pricedModel: 'gpt-4o-mini' },
  unpricedReason: undefined,
  ...patch,
});

async function collect(record: (metrics: CostMetrics) => void) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  record(new CostMetrics(provider.getMeter('test')));
  await reader.forceFlush();
  await provider.shutdown();
  const metrics = exporter
    .getMetrics()
    .at(-1)!
    .scopeMetrics.flatMap((scope) => scope.metrics);
  return (name: string) => metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
}

describe('CostMetrics', () => {
  it('sums each series across calls, with the labels of docs/metrics.md', async () => {
    const points = await collect((metrics) => {
      metrics.record(call());
      metrics.record(call());
      metrics.record(call({ labels: { tenant: 'acme' } }));
      metrics.record(call({ outcome: 'blocked', billable: false, cost: undefined }));
      metrics.record(call({ cost: undefined, unpricedReason: 'unknown_model', requestModel: 'acme-7b' }));
    });
    expect(points('costctl.cost.usd').map((point) => [point.attributes.tenant, point.value])).toEqual([
      [undefined, 0.002],
      ['acme', 0.001],
    ]);
    expect(points('costctl.requests').map((point) => [point.attributes['costctl.outcome'], point.attributes.tenant, point.value])).toEqual([
      ['ok', undefined, 2],
      ['ok', 'acme', 1],
      ['blocked', undefined, 1],
      ['ok', undefined, 1],
    ]);
    expect(points('costctl.unpriced_requests')).toMatchObject([
      { value: 1, attributes: { 'costctl.reason': 'unknown_model', 'gen_ai.request.model': 'acme-7b' } },
    ]);
    expect(
      points('costctl.tokens')
        .filter((point) => point.attributes['gen_ai.token.type'] === 'input')
        .reduce((sum, point) => sum + Number(point.value), 0),
    ).toBe(40);
    expect(points('gen_ai.client.operation.duration').reduce((sum, point) => sum + (point.value as { count: number }).count, 0)).toBe(4);
  });

  // Regression: blocked calls carried no rule, so a dashboard could not say which budget was refusing.
  it('tells apart call shapes that differ in one of provider, operation, model, response model or labels, interleaved', async () => {
    const shapes: Partial<CallResult>[] = [
      {},
      { provider: 'azure-openai' },
      { operation: 'embeddings' },
      { requestModel: undefined },
      { requestModel: undefined, model: undefined },
      { responseModel: undefined },
      { responseModel: 'gpt-4o-mini-2025' },
      { labels: { tenant: 'acme' } },
      { labels: { tenant: 'globex' } },
      { labels: { tenant: 'acme', team: 'search' } },
    ];
    const points = await collect((metrics) => {
      for (let round = 0; round < shapes.length; round++) shapes.forEach((shape, i) => i >= round && metrics.record(call(shape)));
    });
    const requests = points('costctl.requests').map(({ attributes, value }) => [
      attributes['gen_ai.provider.name'],
      attributes['gen_ai.operation.name'],
      attributes['gen_ai.request.model'],
      attributes['gen_ai.response.model'],
      attributes.tenant,
      attributes.team,
      value,
    ]);
    expect(requests).toEqual([
      // Without a request model the call's model names it: the fourth shape is the first's series.
      ['openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', undefined, undefined, 1 + 4],
      ['azure-openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', undefined, undefined, 2],
      ['openai', 'embeddings', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', undefined, undefined, 3],
      ['openai', 'chat', 'unknown', 'gpt-4o-mini-2024-07-18', undefined, undefined, 5],
      ['openai', 'chat', 'gpt-4o-mini', undefined, undefined, undefined, 6],
      ['openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini-2025', undefined, undefined, 7],
      ['openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'acme', undefined, 8],
      ['openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'globex', undefined, 9],
      ['openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'acme', 'search', 10],
    ]);
  });

  it('labels blocked calls with the refusing rule, or gate', async () => {
    const points = await collect((metrics) => {
      metrics.record(call({ outcome: 'blocked', billable: false, cost: undefined, blockedBy: 'daily_usd' }));
      metrics.record(call({ outcome: 'blocked', billable: false, cost: undefined, blockedBy: 'daily_usd' }));
      metrics.record(call({ outcome: 'blocked', billable: false, cost: undefined, blockedBy: 'gate' }));
      metrics.record(call());
    });
    expect(points('costctl.requests').map((point) => [point.attributes['costctl.outcome'], point.attributes['costctl.rule'], point.value])).toEqual([
      ['blocked', 'daily_usd', 2],
      ['blocked', 'gate', 1],
      ['ok', undefined, 1],
    ]);
  });

  it('bounds the series of a counter and counts the rest in one overflow series', async () => {
    const points = await collect((metrics) => {
      for (let i = 0; i < MAX_SERIES + 10; i++) metrics.record(call({ requestModel: `model-${i}` }));
    });
    const requests = points('costctl.requests');
    expect(requests).toHaveLength(MAX_SERIES + 1);
    expect(requests.find((point) => point.attributes['otel.metric.overflow'] === true)?.value).toBe(10);
  });

  // The SDK bounds a histogram's label sets per collection only: with cumulative temporality each burst added 2000 more.
  it('bounds the histograms across collections, new labels past the bound going to the overflow series', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = new CostMetrics(provider.getMeter('test'));
    for (let burst = 0; burst < 3; burst++) {
      for (let i = 0; i < 1500; i++)
        metrics.record(call({ requestModel: `model-${burst}-${i}`, ...(i % 2 ? { errorType: '500', outcome: 'error' as const } : {}) }));
      await reader.forceFlush();
    }
    await provider.shutdown();
    const last = exporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((scope) => scope.metrics);
    const points = (name: string) => last.find((metric) => metric.descriptor.name === name)!.dataPoints;
    const duration = points('gen_ai.client.operation.duration');
    expect(duration.length).toBeLessThanOrEqual(MAX_SERIES + 2);
    const overflowCount = duration
      .filter((point) => point.attributes['otel.metric.overflow'] === true)
      .reduce((total, point) => total + (point.value as { count: number }).count, 0);
    expect(overflowCount).toBe(3 * 1500 - MAX_SERIES);
    const tokens = points('gen_ai.client.token.usage');
    expect(tokens.length).toBeLessThanOrEqual(2 * MAX_SERIES + 2);
    // Two label sets per call shape: past 2000 the SDK's own per-collection overflow (no token type) takes some too.
    const overflowTypes = tokens.filter((point) => point.attributes['otel.metric.overflow'] === true).map((point) => point.attributes['gen_ai.token.type']);
    expect(overflowTypes).toEqual(expect.arrayContaining(['input', 'output']));
  });
});

/** A call to a speech API billed in seconds: no tokens, units instead. */
const metered = (patch: Partial<CallResult> = {}): CallResult =>
  call({
    provider: 'speechco',
    operation: 'transcription',
    requestModel: 'speechco',
    responseModel: undefined,
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    model: 'speechco',
    cost: { usd: 0.0005, source: 'price_table', pricedModel: 'speechco' },
    units: { audio_seconds: 31.25 },
    ...patch,
  });

describe('costctl.units', () => {
  it('counts units other than tokens by unit, and keeps them out of the token metrics', async () => {
    const points = await collect((metrics) => {
      metrics.record(metered());
      metrics.record(metered({ units: { audio_seconds: 8.75 } }));
      metrics.record(metered({ cost: undefined, unpricedReason: 'unit_missing', units: {} }));
      metrics.record(
        metered({
          provider: 'serpapi',
          operation: 'search',
          requestModel: 'serpapi',
          units: {},
          cost: { usd: 0.01, source: 'price_table', pricedModel: 'serpapi' },
        }),
      );
    });
    expect(points('costctl.units')).toMatchObject([{ value: 40, attributes: { 'gen_ai.provider.name': 'speechco', 'costctl.unit': 'audio_seconds' } }]);
    expect(points('costctl.tokens')).toEqual([]);
    expect(points('gen_ai.client.token.usage')).toEqual([]);
    expect(points('costctl.cost.usd').map((point) => [point.attributes['gen_ai.provider.name'], point.value])).toEqual([
      ['speechco', 0.001],
      ['serpapi', 0.01],
    ]);
    expect(points('costctl.unpriced_requests')).toMatchObject([{ value: 1, attributes: { 'costctl.reason': 'unit_missing' } }]);
  });

  it('records the real tokens of a call billed in units too, and no zeros', async () => {
    const points = await collect((metrics) => {
      metrics.record(
        metered({
          provider: 'openai',
          operation: 'speech',
          requestModel: 'gpt-4o-mini-tts',
          usage: { input: 14, output: 101, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
          units: { characters: 57 },
        }),
      );
    });
    expect(points('costctl.units')).toMatchObject([{ value: 57, attributes: { 'costctl.unit': 'characters' } }]);
    expect(points('gen_ai.client.token.usage').map((point) => [point.attributes['gen_ai.token.type'], (point.value as { sum: number }).sum])).toEqual([
      ['input', 14],
      ['output', 101],
    ]);
  });
});

describe('costctl.tokens parts and steps', () => {
  it('counts media parts and one-hour cache writes as token types of their own', async () => {
    const points = await collect((metrics) => {
      metrics.record(
        call({
          usage: { input: 900, output: 40, cacheRead: 300, cacheWrite: 0, reasoning: 0 },
          mediaTokens: { inputAudio: 500, cacheReadAudio: 200, outputImage: 0 },
        }),
      );
    });
    const byType = Object.fromEntries(points('costctl.tokens').map((point) => [point.attributes['gen_ai.token.type'], point.value]));
    expect(byType).toEqual({ input: 900, output: 40, cache_read: 300, input_audio: 500, cache_read_audio: 200 });
  });

  it("counts a step's tokens with the call's, since the call was billed for them", async () => {
    const step = { kind: 'compaction', usage: { input: 55196, output: 131, cacheRead: 0, cacheWrite: 55096, reasoning: 0 } };
    const points = await collect((metrics) => metrics.record(call({ steps: [step] })));
    const byType = Object.fromEntries(points('costctl.tokens').map((point) => [point.attributes['gen_ai.token.type'], point.value]));
    expect(byType).toEqual({ input: 10 + 55196, output: 5 + 131, cache_write: 55096 });
  });

  it('counts a call priced short (a tool fee without a price) both in cost and as unpriced', async () => {
    const points = await collect((metrics) => metrics.record(call({ units: { code_executions: 1 }, unpricedReason: 'unit_unpriced' })));
    expect(points('costctl.cost.usd')).toMatchObject([{ value: 0.001 }]);
    expect(points('costctl.unpriced_requests')).toMatchObject([{ value: 1, attributes: { 'costctl.reason': 'unit_unpriced' } }]);
    expect(points('costctl.units')).toMatchObject([{ value: 1, attributes: { 'costctl.unit': 'code_executions' } }]);
  });

  // Each call shape keeps the totals it adds to: one whose token series came past the bound must keep adding to the overflow series.
  it('keeps adding a call shape to the series it got first: its own below the bound, the overflow series past it', async () => {
    const points = await collect((metrics) => {
      for (let i = 0; i < 1200; i++) metrics.record(call({ requestModel: `model-${i}` }));
      for (const model of ['model-0', 'model-999', 'model-1100']) metrics.record(call({ requestModel: model }));
    });
    const tokens = (model: string | undefined, type: string) =>
      points('costctl.tokens').find(
        (point) => point.attributes['gen_ai.request.model'] === model && (model === undefined || point.attributes['gen_ai.token.type'] === type),
      )?.value;
    // Two token series per shape: model-999's input is the last that fits, its output the first turned away.
    expect([tokens('model-0', 'input'), tokens('model-0', 'output'), tokens('model-999', 'input'), tokens('model-999', 'output')]).toEqual([
      20,
      10,
      20,
      undefined,
    ]);
    expect(points('costctl.tokens').find((point) => point.attributes['otel.metric.overflow'] === true)?.value).toBe(5 * 2 + 15 * 200 + 15);
    const requests = (model: string) => points('costctl.requests').find((point) => point.attributes['gen_ai.request.model'] === model)?.value;
    expect([requests('model-0'), requests('model-999'), requests('model-1100')]).toEqual([2, 2, 2]);
  });
});
