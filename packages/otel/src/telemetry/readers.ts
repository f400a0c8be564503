import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type { CostctlConfig } from '../config/schema.js';
import { logger } from '../model/logger.js';

/**
 * The metric readers `OTEL_METRICS_EXPORTER` asks for: a Prometheus scrape
 * endpoint, periodic OTLP/HTTP export (configured by the `OTEL_EXPORTER_OTLP_*`
 * variables, every `OTEL_METRIC_EXPORT_INTERVAL` ms), the console, or none.
 */
export function createMetricReaders(metrics: CostctlConfig['metrics']): IMetricReader[] {
  const readers: IMetricReader[] = [];
  for (const exporter of new Set(metrics.exporters)) {
    switch (exporter) {
      case 'prometheus': {
        const { PrometheusExporter } = loadModule<typeof import('@opentelemetry/exporter-prometheus')>('@opentelemetry/exporter-prometheus');
        readers.push(
          new PrometheusExporter({ host: metrics.prometheus.host, port: metrics.prometheus.port }, (error) =>
            warnNotServed(metrics.prometheus, error || undefined),
          ),
        );
        break;
      }
      case 'otlp': {
        const { OTLPMetricExporter } = loadModule<typeof import('@opentelemetry/exporter-metrics-otlp-http')>('@opentelemetry/exporter-metrics-otlp-http');
        readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), ...schedule(metrics) }));
        break;
      }
      case 'console':
        readers.push(new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), ...schedule(metrics) }));
        break;
      case 'none':
        break;
    }
  }
  return readers;
}

const require = createRequire(import.meta.url);

/**
 * An exporter's module, loaded when the configuration asks for it: each
 * keeps MBs on the heap that every full collection of the app marks. Its ES
 * module build, loaded synchronously, so that it shares the one
 * `@opentelemetry/sdk-metrics` the MeterProvider comes from.
 */
function loadModule<T>(name: string): T {
  return require(fileURLToPath(import.meta.resolve(name))) as T;
}

function schedule(metrics: CostctlConfig['metrics']): { exportIntervalMillis: number; exportTimeoutMillis: number } {
  // The reader requires the timeout not to exceed the interval.
  return { exportIntervalMillis: metrics.exportIntervalMillis, exportTimeoutMillis: Math.min(metrics.exportTimeoutMillis, metrics.exportIntervalMillis) };
}

/**
 * A scrape endpoint that cannot listen (the port taken by another process
 * on the host, a restart race) would leave the metrics nowhere without a
 * word: say where, why, and what to change. The app runs on.
 */
function warnNotServed({ host, port }: CostctlConfig['metrics']['prometheus'], error: Error | undefined): void {
  if (error === undefined) return;
  const reason = (error as { code?: unknown }).code ?? error.message;
  logger.warn(
    `costctl cannot serve metrics on ${host}:${port} (${String(reason)}), so this process's costs are not exported; ` +
      'give each process its own port with OTEL_EXPORTER_PROMETHEUS_PORT, or push to an OpenTelemetry Collector with OTEL_METRICS_EXPORTER=otlp ' +
      '(docs/operations.md, "Several processes on one host")',
    { host, port, error: error.message },
  );
}
