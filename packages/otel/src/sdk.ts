import { context, metrics, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { defaultResource, detectResources, envDetector } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { loadConfig } from './config/load.js';
import type { CostctlConfig, FileConfig } from './config/schema.js';
import { jsonLogger, logger, setLogger, type Logger } from './logger.js';
import { PriceTable } from './pricing/price-table.js';
import { CostMetrics } from './telemetry/cost-metrics.js';
import { METER_NAME } from './telemetry/names.js';
import { createMetricReaders } from './telemetry/readers.js';
import { EndpointMatcher } from './transport/endpoints.js';
import { installFetch } from './transport/fetch.js';
import { CallObserver } from './transport/observer.js';
import { subscribeUndiciChannels } from './transport/undici-channels.js';

export interface StartOptions {
  /** Settings applied over the config file and the environment. */
  config?: FileConfig;
  /** The environment to read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Record into this MeterProvider (an app's own `NodeSDK`, say) instead of
   * one costctl builds from `OTEL_METRICS_EXPORTER`. Pass
   * `metrics.getMeterProvider()` after `sdk.start()` to use the global one.
   */
  meterProvider?: ApiMeterProvider;
  /** A pino-style logger to write to instead of JSON lines on stderr. */
  logger?: Logger;
}

/** A running costctl. */
export interface Costctl {
  readonly config: CostctlConfig;
  /** Exports what has been recorded so far (OTLP); a no-op for pull exporters. */
  forceFlush(): Promise<void>;
  /** Stops observing calls and shuts down the metric readers costctl created. */
  shutdown(): Promise<void>;
}

let running: Costctl | undefined;

/**
 * Starts costctl: validates the configuration (throwing one `ConfigError`
 * that lists every bad key), then observes every outbound call to a known
 * paid API made through `fetch` or `undici`, and records its cost. Only one
 * costctl runs per process; a second `start()` returns the first.
 *
 * @example
 * import { start } from '@costctl/otel';
 * const costctl = start({ meterProvider: metrics.getMeterProvider() });
 */
export function start(options: StartOptions = {}): Costctl {
  if (running !== undefined) {
    logger.warn('costctl is already running in this process; start() returned the running instance');
    return running;
  }
  const config = loadConfig({ env: options.env ?? process.env, ...(options.config ? { overrides: options.config } : {}) });
  setLogger(options.logger ?? jsonLogger(config.logLevel));
  if (config.disabled) return (running = disabledCostctl(config));

  const ownProvider =
    options.meterProvider === undefined
      ? new MeterProvider({
          resource: defaultResource().merge(detectResources({ detectors: [envDetector] })),
          readers: createMetricReaders(config.metrics),
        })
      : undefined;
  const meterProvider = options.meterProvider ?? ownProvider ?? metrics.getMeterProvider();

  // Baggage labels need a context manager; an app with its own OTel SDK has one, a bare app does not.
  if (config.labels.length > 0 && options.meterProvider === undefined) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }

  const sink = new CostMetrics(meterProvider.getMeter(METER_NAME));
  const observer = new CallObserver(new EndpointMatcher(config.endpoints), config.labels, {
    table: new PriceTable(config.prices),
    sink,
  });
  const stops = [installFetch(observer), subscribeUndiciChannels(observer)];

  const instance: Costctl = {
    config,
    forceFlush: async () => {
      await ownProvider?.forceFlush();
    },
    shutdown: async () => {
      for (const stop of stops) stop();
      running = undefined;
      await ownProvider?.shutdown();
    },
  };
  running = instance;
  logger.debug('costctl started', { exporters: config.metrics.exporters, endpoints: config.endpoints.length });
  return instance;
}

function disabledCostctl(config: CostctlConfig): Costctl {
  return {
    config,
    forceFlush: async () => {},
    shutdown: async () => {
      running = undefined;
    },
  };
}
