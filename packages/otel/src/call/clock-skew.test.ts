import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger, setLogger } from '../model/logger.js';
import { checkClockSkew, registerClockSkewGauge } from './clock-skew.js';

const lines: string[] = [];
afterEach(() => {
  lines.length = 0;
  setLogger(jsonLogger('info'));
});

describe('checkClockSkew', () => {
  it('warns once when a provider clock differs by more than a minute, saying which way and what to do', () => {
    setLogger(jsonLogger('info', (line) => lines.push(line)));
    const now = Date.parse('2026-11-23T10:02:00Z');
    checkClockSkew('skewed-a', 'Mon, 23 Nov 2026 10:00:00 GMT', now);
    checkClockSkew('skewed-a', 'Mon, 23 Nov 2026 10:00:00 GMT', now + 1000);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'warn',
      msg: "the local clock is 120 s ahead of skewed-a's; budget windows may be attributed wrongly: sync this host's clock (NTP)",
      skewSeconds: 120,
    });
  });

  it('stays quiet within a minute, and on a missing or bad header', () => {
    setLogger(jsonLogger('info', (line) => lines.push(line)));
    const now = Date.parse('2026-11-23T10:00:59Z');
    checkClockSkew('skewed-b', 'Mon, 23 Nov 2026 10:00:00 GMT', now);
    checkClockSkew('skewed-b', undefined, now);
    checkClockSkew('skewed-b', 'yesterday', now);
    expect(lines).toEqual([]);
  });
});

describe('costctl.clock.skew', () => {
  /** The gauge's points now, by provider. */
  async function skewByProvider() {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    registerClockSkewGauge(provider.getMeter('test'));
    await reader.forceFlush();
    await provider.shutdown();
    const metric = exporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((scope) => scope.metrics)
      .find((candidate) => candidate.descriptor.name === 'costctl.clock.skew');
    expect(metric?.descriptor.unit).toBe('s');
    return Object.fromEntries((metric?.dataPoints ?? []).map((point) => [point.attributes['gen_ai.provider.name'], point.value]));
  }

  it("shows each provider's last skew in seconds, ahead positive and behind negative, within the tolerance too", async () => {
    setLogger(jsonLogger('info', (line) => lines.push(line)));
    const now = Date.parse('2026-11-23T10:00:00Z');
    checkClockSkew('gauge-ahead', 'Mon, 23 Nov 2026 09:55:00 GMT', now);
    checkClockSkew('gauge-behind', 'Mon, 23 Nov 2026 10:00:30 GMT', now);
    checkClockSkew('gauge-behind', 'Mon, 23 Nov 2026 10:01:30 GMT', now);
    const skew = await skewByProvider();
    expect(skew['gauge-ahead']).toBe(300);
    // The later response wins, whether or not it was past the tolerance.
    expect(skew['gauge-behind']).toBe(-90);
  });

  it('has no point for a provider whose Date header was missing or unreadable', async () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    checkClockSkew('gauge-no-header', undefined, now);
    checkClockSkew('gauge-bad-header', 'yesterday', now);
    const skew = await skewByProvider();
    expect(skew).not.toHaveProperty('gauge-no-header');
    expect(skew).not.toHaveProperty('gauge-bad-header');
  });
});
