import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PendingPoints } from './pending-points.js';

function setUp() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const meter = new MeterProvider({ readers: [reader] }).getMeter('test');
  const histogram = meter.createHistogram('h', { advice: { explicitBucketBoundaries: [1, 10] } });
  // As CostMetrics does: an observable callback flushes, and the SDK runs callbacks before reading the histogram.
  const points = new PendingPoints(histogram);
  meter.createObservableCounter('c').addCallback(() => points.flush());
  /** The histogram's points per label set as the next collection exports them. */
  const collect = async () => {
    await reader.forceFlush();
    const metric = exporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === 'h') as HistogramMetricData | undefined;
    return (metric?.dataPoints ?? []).map((point) => ({
      attributes: point.attributes,
      count: point.value.count,
      sum: point.value.sum,
      buckets: point.value.buckets.counts,
    }));
  };
  return { points, collect };
}

describe('PendingPoints', () => {
  it('records the points it holds in the very next collection, each with its labels', async () => {
    const { points, collect } = setUp();
    points.add(0.5, { model: 'a' });
    points.add(5, { model: 'a' });
    points.add(50, { model: 'b' });
    expect(await collect()).toEqual([
      { attributes: { model: 'a' }, count: 2, sum: 5.5, buckets: [1, 1, 0] },
      { attributes: { model: 'b' }, count: 1, sum: 50, buckets: [0, 0, 1] },
    ]);
    // Recorded once: the next collection (cumulative) has the same, plus what came since.
    points.add(2, { model: 'b' });
    expect(await collect()).toEqual([
      { attributes: { model: 'a' }, count: 2, sum: 5.5, buckets: [1, 1, 0] },
      { attributes: { model: 'b' }, count: 2, sum: 52, buckets: [0, 1, 1] },
    ]);
  });

  it('records on the spot past its bound, so memory stays bounded when nothing collects', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const histogram = new MeterProvider({ readers: [reader] }).getMeter('test').createHistogram('h');
    // No flushing callback at all: only the bound makes the points reach the SDK.
    const points = new PendingPoints(histogram);
    for (let i = 0; i < 10_000; i++) points.add(1, {});
    await reader.forceFlush();
    const metric = exporter.getMetrics().at(-1)!.scopeMetrics[0]!.metrics[0] as HistogramMetricData;
    // All but the points since the last bound-triggered flush (10,000 mod 4,096).
    expect(metric.dataPoints[0]!.value.count).toBe(10_000 - (10_000 % 4096));
  });
});
