import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../transport/call.js';
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
  const metrics = exporter.getMetrics().at(-1)!.scopeMetrics.flatMap((scope) => scope.metrics);
  return (name: string) => metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
}

describe('CostMetrics', () => {
  it('sums each series across calls, with the labels of SPEC §5', async () => {
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
    expect(points('costctl.unpriced_requests')).toMatchObject([{ value: 1, attributes: { 'costctl.reason': 'unknown_model', 'gen_ai.request.model': 'acme-7b' } }]);
    expect(points('costctl.tokens').filter((point) => point.attributes['gen_ai.token.type'] === 'input').reduce((sum, point) => sum + Number(point.value), 0)).toBe(40);
    expect(points('gen_ai.client.operation.duration').reduce((sum, point) => sum + (point.value as { count: number }).count, 0)).toBe(4);
  });

  it('bounds the series of a counter and counts the rest in one overflow series', async () => {
    const points = await collect((metrics) => {
      for (let i = 0; i < MAX_SERIES + 10; i++) metrics.record(call({ requestModel: `model-${i}` }));
    });
    const requests = points('costctl.requests');
    expect(requests).toHaveLength(MAX_SERIES + 1);
    expect(requests.find((point) => point.attributes['otel.metric.overflow'] === true)?.value).toBe(10);
  });
});
