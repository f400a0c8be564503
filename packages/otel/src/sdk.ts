import { context, metrics, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { defaultResource, detectResources, envDetector } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AlertDispatcher, type AlertHook } from './budget/alerts.js';
import { Budgets } from './budget/budgets.js';
import { FallbackPrices } from './budget/fallback-price.js';
import { BudgetEvaluator } from './budget/evaluator.js';
import { BudgetLevels, type RuleStatus } from './budget/levels.js';
import { loadConfig } from './config/load.js';
import type { CostctlConfig, FileConfig } from './config/schema.js';
import { jsonLogger, logger, setLogger, type Logger } from './logger.js';
import { Gate } from './gate/gate.js';
import { LedgerWriter } from './ledger/writer.js';
import { PriceTable } from './pricing/price-table.js';
import { openStore } from './store/open.js';
import type { AuditEntry, GateState } from './store/types.js';
import { registerBudgetGauges } from './telemetry/budget-gauges.js';
import { CostMetrics } from './telemetry/cost-metrics.js';
import { METER_NAME } from './telemetry/names.js';
import { createMetricReaders } from './telemetry/readers.js';
import type { CallResult, CallSink } from './transport/call.js';
import { EndpointMatcher } from './transport/endpoints.js';
import { installFetch } from './transport/fetch.js';
import { installNodeHttp } from './transport/node-http.js';
import { installNodeHttp2 } from './transport/node-http2.js';
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
  /** Called once each time a budget rule changes level. */
  onAlert?: AlertHook;
}

/** The emergency gate, as the programmatic API exposes it. */
export interface GateControl {
  state(): GateState;
  /** Trips the gate: every call to a paid API is blocked until `reset`. Audited. */
  trip(change: { reason: string; actor?: string }): Promise<GateState>;
  /** Resets the gate (the operator's recovery). Audited. */
  reset(change: { reason: string; actor?: string }): Promise<GateState>;
  /** Every change of the gate, oldest first. */
  audit(): Promise<AuditEntry[]>;
}

/** A running costctl. */
export interface Costctl {
  readonly config: CostctlConfig;
  readonly gate: GateControl;
  /** Evaluates every budget rule now (alerts fire for levels that changed) and returns their status. */
  evaluate(): Promise<readonly RuleStatus[]>;
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

  const table = new PriceTable(config.prices);
  const store = openStore(config);
  const gate = new Gate(store, store.gate());
  const fallback = new FallbackPrices(config.prices, config.defaultMaxOutputTokens);
  const budgets = new Budgets(config.rules, store, gate, table, {
    timeZone: config.timezone,
    defaultMaxOutputTokens: config.defaultMaxOutputTokens,
    leaseMillis: config.reservationLeaseMillis,
    unknownModel: config.unknownModel,
    fallback,
  });
  const levels = new BudgetLevels(budgets.rules, store, gate, new AlertDispatcher({ onAlert: options.onAlert, webhook: config.alertWebhook }));
  const evaluator = new BudgetEvaluator(config.evaluationIntervalMillis);

  const resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
  const ownProvider =
    options.meterProvider === undefined ? new MeterProvider({ resource, readers: [...createMetricReaders(config.metrics), evaluator] }) : undefined;
  // With the app's own MeterProvider, the evaluator collects from a private one carrying only the budget gauges.
  const evaluatorProvider = ownProvider ?? new MeterProvider({ resource, readers: [evaluator] });
  const meterProvider = options.meterProvider ?? ownProvider ?? metrics.getMeterProvider();
  const gaugeSources = { levels, gate, store, storeKind: config.store, currency: config.currency };
  registerBudgetGauges(meterProvider.getMeter(METER_NAME), gaugeSources);
  if (evaluatorProvider !== ownProvider) registerBudgetGauges(evaluatorProvider.getMeter(METER_NAME), gaugeSources);

  // Baggage labels need a context manager; an app with its own OTel SDK has one, a bare app does not.
  if (config.labels.length > 0 && options.meterProvider === undefined) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }

  const ledger = config.ledger ? new LedgerWriter(config.stateDir, { timeZone: config.timezone }) : undefined;
  const sink = fanOut([new CostMetrics(meterProvider.getMeter(METER_NAME)), ...(ledger ? [ledger] : []), budgets]);
  // At process.exit() a synchronous store (memory, file) still gets the aggregates of the last second's calls.
  const flushAtExit = () => void budgets.flush();
  process.once('exit', flushAtExit);
  const observer = new CallObserver(new EndpointMatcher(config.endpoints, config.meters), config.labels, { table, sink, fallback }, budgets);
  const stops = [
    installFetch(observer, config.blockMode),
    installNodeHttp(observer, config.blockMode),
    installNodeHttp2(observer, config.blockMode),
    subscribeUndiciChannels(observer),
  ];

  const instance: Costctl = {
    config,
    gate: {
      state: () => gate.state(),
      trip: (change) => gate.trip(change),
      reset: (change) => gate.reset(change),
      audit: async () => store.audit(),
    },
    evaluate: async () => {
      await evaluator.evaluate();
      return levels.statuses;
    },
    forceFlush: async () => {
      await ownProvider?.forceFlush();
    },
    shutdown: async () => {
      for (const stop of stops) stop();
      running = undefined;
      gate.close();
      process.off('exit', flushAtExit);
      await budgets.flush();
      await evaluatorProvider.shutdown();
      if (ownProvider !== evaluatorProvider) await ownProvider?.shutdown();
      await store.close();
      ledger?.close();
    },
  };
  running = instance;
  logger.debug('costctl started', { exporters: config.metrics.exporters, endpoints: config.endpoints.length });
  return instance;
}

/** Every sink gets every call; one that throws does not keep it from the others. */
function fanOut(sinks: readonly CallSink[]): CallSink {
  return {
    record(result: CallResult) {
      for (const sink of sinks) {
        try {
          sink.record(result);
        } catch (error) {
          logger.error('costctl could not record a call', { error: String(error) });
        }
      }
    },
  };
}

function disabledCostctl(config: CostctlConfig): Costctl {
  const open: GateState = { tripped: false, reason: undefined, actor: undefined, since: undefined };
  const unavailable = () => Promise.reject(new Error('costctl is disabled (COSTCTL_DISABLED=true): there is no gate to change'));
  return {
    config,
    gate: { state: () => open, trip: unavailable, reset: unavailable, audit: async () => [] },
    evaluate: async () => [],
    forceFlush: async () => {},
    shutdown: async () => {
      running = undefined;
    },
  };
}
