import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { AlertDispatcher, type AlertHook } from './budget/alerts.js';
import { Budgets } from './budget/budgets.js';
import { FallbackPrices } from './budget/fallback-price.js';
import { BudgetEvaluator } from './budget/evaluator.js';
import { announceGateChanges, failedClosed } from './budget/gate-announcements.js';
import { BudgetLevels, type RuleStatus } from './budget/levels.js';
import { loadConfig } from './config/load.js';
import type { CostctlConfig, FileConfig } from './config/schema.js';
import { jsonLogger, logger, setLogger, type Logger } from './model/logger.js';
import { CostctlBlockedError, CostctlError } from './model/errors.js';
import { unsupportedNode } from './node-version.js';
import { disabledGateControl, gateControl, type GateControl } from './gate/control.js';
import { Gate } from './gate/gate.js';
import { LedgerWriter } from './ledger/writer.js';
import { PriceTable } from './pricing/price-table.js';
import { type EndOfProcess, onProcessEnd } from './process-end.js';
import { activePriceData, REQUIRED_PROVIDERS } from './pricing/price-data.js';
import { PriceDataWatcher, staleWarning } from './pricing/price-data-watch.js';
import { registerPriceDataAgeGauge } from './telemetry/price-data-age.js';
import { openStore } from './store/open.js';
import { registerBudgetGauges } from './telemetry/budget-gauges.js';
import { lendContextManager } from './telemetry/context-manager.js';
import { CostMetrics } from './telemetry/cost-metrics.js';
import { METER_NAME } from './model/otel-names.js';
import { createMeterProvider, noMeterProvider } from './telemetry/readers.js';
import type { CallResult, CallSink } from './model/call-result.js';
import { registerClockSkewGauge } from './call/clock-skew.js';
import { EndpointMatcher } from './call/endpoints.js';
import { installFetch } from './transports/fetch.js';
import { installNodeHttp } from './transports/node-http.js';
import { installNodeHttp2 } from './transports/node-http2.js';
import { CallObserver } from './call/observer.js';
import { lendManualSpend } from './call/manual.js';
import { ManualSpend } from './call/manual-spend.js';
import { subscribeUndiciChannels } from './transports/undici-channels.js';

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
  /** Called once per fleet each time a budget rule changes level (`kind: 'budget'`) or the gate changes (`kind: 'gate'`). */
  onAlert?: AlertHook;
}

/** A running costctl. */
export interface Costctl {
  readonly config: CostctlConfig;
  readonly gate: GateControl;
  /** Evaluates every budget rule now (alerts fire for levels that changed) and returns their status. */
  evaluate(): Promise<readonly RuleStatus[]>;
  /** Writes the ledger's buffered lines and exports what has been recorded so far (OTLP; a no-op for pull exporters). */
  forceFlush(): Promise<void>;
  /** Stops observing calls and shuts down the metric readers costctl created. */
  shutdown(): Promise<void>;
}

let running: Costctl | undefined;

/**
 * Starts costctl: validates the configuration (throwing one `ConfigError`
 * that lists every bad key) and the Node.js version (a `CostctlError` coded
 * `COSTCTL_NODE_UNSUPPORTED` below 22.15), then observes every outbound
 * call to a known paid API made through `fetch` or `undici`, and records
 * its cost. Only one costctl runs per process; a second `start()` returns
 * the first.
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
  const warnings: [string, Record<string, unknown>][] = [];
  const onWarning = (message: string, fields: Record<string, unknown>) => void warnings.push([message, fields]);
  const config = loadConfig({ env: options.env ?? process.env, onWarning, ...(options.config ? { overrides: options.config } : {}) });
  setLogger(options.logger ?? jsonLogger(config.logLevel));
  // Told once the logger is the one the configuration asks for.
  for (const [message, fields] of warnings) logger.warn(message, fields);
  if (config.disabled) return (running = disabledCostctl(config, lendManualSpend('disabled')));
  const refusal = unsupportedNode(process.versions.node);
  if (refusal !== undefined) throw new CostctlError('COSTCTL_NODE_UNSUPPORTED', refusal);

  // The state directory's price data (costctl prices update), before the first call; then watched for a newer file.
  const priceData = new PriceDataWatcher(config.stateDir, REQUIRED_PROVIDERS);
  priceData.load();
  const stale = staleWarning(activePriceData(), Date.now(), config.priceDataMaxAgeDays);
  if (stale !== undefined) logger.warn(stale, { priceData: activePriceData().source, version: activePriceData().version, asOf: activePriceData().asOf });
  const table = new PriceTable(config.prices);
  const store = openStore(config);
  const gate = new Gate(store, store.gate());
  const fallback = new FallbackPrices(config.prices, config.defaultMaxOutputTokens);
  const budgets = new Budgets(config.rules, store, gate, table, {
    timeZone: config.timezone,
    defaultMaxOutputTokens: config.defaultMaxOutputTokens,
    leaseMillis: config.reservationLeaseMillis,
    onRefused: (rule, amount) => levels.refused(rule, amount, Date.now()),
    unknownModel: config.unknownModel,
    fallback,
    // The memory store is this process's memory already: nothing to lease.
    leases: config.store !== 'memory',
  });
  const alerts = new AlertDispatcher({ onAlert: options.onAlert, webhook: config.alertWebhook });
  const levels = new BudgetLevels(budgets.rules, store, gate, alerts);
  const stopAnnouncing = announceGateChanges(gate, store, alerts);
  // Levels read the store: what leased calls spent is committed first.
  const evaluator = new BudgetEvaluator(() => budgets.commitLeased().then(() => levels.evaluate()), config.evaluationIntervalMillis);

  const ownProvider = options.meterProvider === undefined ? createMeterProvider(config.metrics) : undefined;
  const meterProvider = options.meterProvider ?? ownProvider ?? noMeterProvider;
  registerBudgetGauges(meterProvider.getMeter(METER_NAME), { levels, gate, store, storeKind: config.store, currency: config.currency });
  evaluator.start();
  registerPriceDataAgeGauge(meterProvider.getMeter(METER_NAME), activePriceData);
  priceData.start(config.evaluationIntervalMillis);
  registerClockSkewGauge(meterProvider.getMeter(METER_NAME));

  // Baggage labels need a context manager: the app's own when it has one, else one lent until it registers its own.
  const giveBackContext = config.labels.length > 0 ? lendContextManager() : undefined;

  const ledger = config.ledger ? new LedgerWriter(config.stateDir, { timeZone: config.timezone }) : undefined;
  // The ledger's last lines are written at exit and on SIGTERM/SIGINT, whatever ends the process.
  const stopLedgerAtEnd = ledger ? onProcessEnd(ledger) : () => {};
  // A settled call may move a level: evaluated shortly after, off the call's path.
  const evaluateSoon: CallSink = { record: () => evaluator.soon() };
  const sink = fanOut([new CostMetrics(meterProvider.getMeter(METER_NAME)), ...(ledger ? [ledger] : []), budgets, evaluateSoon]);
  // What leased calls spent and the aggregates of the last second's calls reach the store however the process ends.
  const stopBudgetsAtEnd = onProcessEnd(budgetsAtEnd(budgets));
  const observer = new CallObserver(new EndpointMatcher(config.endpoints, config.meters), config.labels, { table, sink, fallback }, budgets);
  const stopAborting = config.abortOnTrip ? abortOnTrip(gate, observer) : () => {};
  const stops = [
    lendManualSpend(new ManualSpend({ table, fallback, sink, budgets, labelKeys: config.labels })),
    stopAnnouncing,
    stopAborting,
    installFetch(observer, config.blockMode),
    installNodeHttp(observer, config.blockMode),
    installNodeHttp2(observer, config.blockMode),
    subscribeUndiciChannels(observer),
  ];

  const instance: Costctl = {
    config,
    gate: gateControl(gate, store, config),
    evaluate: async () => {
      await evaluator.evaluate();
      return levels.statuses;
    },
    forceFlush: async () => {
      // What is exported carries levels evaluated now, from spend committed now, as a flush did when the evaluator was a reader.
      await budgets.flush();
      await evaluator.evaluate();
      await ledger?.flush();
      await ownProvider?.forceFlush();
    },
    shutdown: async () => {
      for (const stop of stops) stop();
      running = undefined;
      await evaluator.stop();
      await priceData.stop();
      gate.close();
      giveBackContext?.();
      stopBudgetsAtEnd();
      await budgets.flush();
      await ownProvider?.shutdown();
      await store.close();
      await ledger?.close();
      stopLedgerAtEnd();
    },
  };
  running = instance;
  logger.debug('costctl started', { exporters: config.metrics.exporters, endpoints: config.endpoints.length });
  return instance;
}

/**
 * Budgets as the end of the process sees them: a synchronous store (memory,
 * file) has the spend before the process dies; Redis within the wait a
 * signal allows, and at `process.exit()` only what the store answers at once.
 */
function budgetsAtEnd(budgets: Budgets): EndOfProcess {
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushing = budgets
      .flush()
      .catch((error: unknown) => logger.error('costctl could not commit what leased calls spent as the process ended', { error: String(error) }));
  };
  return { flushSync: flush, settled: () => flushing, end: flush };
}

/**
 * When an operator or a trip rule trips the gate, stops the calls in flight
 * (a stream would go on costing money until it ends). Not when the store
 * fails closed: an outage of the store says nothing about the calls.
 */
function abortOnTrip(gate: Gate, observer: CallObserver): () => void {
  return gate.onChange((state, previous) => {
    if (!state.tripped || failedClosed(state) || (previous.tripped && !failedClosed(previous))) return;
    const reason = new CostctlBlockedError({ code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', spent: 0, limit: 0, reason: state.reason });
    const aborted = observer.abortInFlight(reason);
    if (aborted > 0) logger.warn(`costctl aborted ${aborted} call(s) in flight: the gate was tripped`, { actor: state.actor, reason: state.reason, aborted });
  });
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

function disabledCostctl(config: CostctlConfig, stopManual: () => void): Costctl {
  return {
    config,
    gate: disabledGateControl(),
    evaluate: async () => [],
    forceFlush: async () => {},
    shutdown: async () => {
      stopManual();
      running = undefined;
    },
  };
}
