import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createNoopMeter, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { CostctlConfig } from '../config/schema.js';
import { logger } from '../model/logger.js';

/** A MeterProvider costctl built and owns: flushed and shut down with costctl. */
export interface OwnMeterProvider extends ApiMeterProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const noopMeter = createNoopMeter();

/** What costctl records into when nothing exports its metrics: nothing is kept. */
export const noMeterProvider: ApiMeterProvider = Object.freeze({ getMeter: () => noopMeter });

/**
 * The MeterProvider `OTEL_METRICS_EXPORTER` asks for, with its readers and
 * the resource of the environment; undefined when it asks for none. The
 * metrics SDK and each exporter are loaded only then: they keep MBs on the
 * heap that every full collection of the app marks.
 *
 * @example
 * const provider = createMeterProvider(config.metrics) ?? noMeterProvider;
 */
export function createMeterProvider(metrics: CostctlConfig['metrics']): OwnMeterProvider | undefined {
  if (metrics.exporters.every((exporter) => exporter === 'none')) return undefined;
  const { MeterProvider } = loadModule<typeof import('@opentelemetry/sdk-metrics')>('@opentelemetry/sdk-metrics');
  const { defaultResource, detectResources, envDetector } = loadModule<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
  const resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
  return new MeterProvider({ resource, readers: createMetricReaders(metrics) });
}

/**
 * The metric readers `OTEL_METRICS_EXPORTER` asks for: a Prometheus scrape
 * endpoint, periodic OTLP/HTTP export (configured by the `OTEL_EXPORTER_OTLP_*`
 * variables, every `OTEL_METRIC_EXPORT_INTERVAL` ms), the console, or none.
 */
function createMetricReaders(metrics: CostctlConfig['metrics']): IMetricReader[] {
  const { ConsoleMetricExporter, PeriodicExportingMetricReader } = loadModule<typeof import('@opentelemetry/sdk-metrics')>('@opentelemetry/sdk-metrics');
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
 * A module of the OpenTelemetry SDK, loaded when the configuration asks for
 * it. Its ES module build, loaded synchronously (start-up is), so that it is
 * the one instance an `import` of it elsewhere in the process gets.
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
