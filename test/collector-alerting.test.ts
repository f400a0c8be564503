// Alerting end to end, on both paths an app's metrics take to Prometheus:
//
//   collector: the app pushes OTLP (OTEL_METRICS_EXPORTER=otlp) to a real
//              OpenTelemetry Collector (built from tools/otelcol) running
//              examples/collector/otel-collector.yaml; Prometheus scrapes
//              the Collector's Prometheus exporter with the scrape job of
//              examples/prometheus/prometheus-collector.yml
//   scrape:    Prometheus scrapes the app's own /metrics
//
// Each path's Prometheus evaluates grafana/prometheus/costctl-rules.yml and
// sends its alerts to its own real Alertmanager, which runs
// examples/alertmanager/alertmanager.yml with the webhook address pointed at
// a receiver in this test. The app spends its request budget against the
// testkit's fake provider, and the budget alert must reach the on-call
// webhook the same way on both paths. The app's wall clock runs ten minutes
// ahead (Debian's libfaketime, from scripts/ensure-faketime.sh, preloaded
// into it), so costctl_clock_skew and CostctlClockSkew travel the same paths.
// Every step runs on both paths at once and expects the same answer from each.
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureAlertmanager, startAlertmanager, startWebhookReceiver, type ManagedAlert } from './helpers/alertmanager.js';
import { startLiveApp, type LiveApp } from './helpers/live-app.mjs';
import { ensureOtelcol, startCollector } from './helpers/otel-collector.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus-server.mjs';
import { ensurePrometheus } from './helpers/prometheus-tools.js';
import { repoRoot } from './helpers/run-app.js';

const PATHS = ['collector', 'scrape'] as const;
type PathName = (typeof PATHS)[number];

/** Calls the budget allows in a day; the next one is blocked. */
const BUDGET = 3;
/** How far the app's clock runs ahead of the provider's. */
const SKEW_MINUTES = 10;
/** How long a step may wait for Prometheus, Alertmanager and the webhook: generous, so a busy machine is slow, not failing. */
const WAIT_MILLIS = 180_000;
/** The address examples/alertmanager/alertmanager.yml sends its webhooks to. */
const EXAMPLE_WEBHOOK = 'http://127.0.0.1:5001';

interface AlertingPath {
  app: LiveApp;
  prometheus: PrometheusServer;
  alertmanager: Awaited<ReturnType<typeof startAlertmanager>>;
}

let otelcol: string;
let alertmanagerBin: string;
let provider: FakeProvider;
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let collector: Awaited<ReturnType<typeof startCollector>>;
const paths = {} as Record<PathName, AlertingPath>;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  // The first run on a machine builds the Collector (minutes) and may install Prometheus and Alertmanager.
  otelcol = ensureOtelcol();
  alertmanagerBin = ensureAlertmanager();
  const prometheusDir = ensurePrometheus();
  const libfaketime = execFileSync('bash', [join(repoRoot, 'scripts/ensure-faketime.sh')], { encoding: 'utf8' }).trim();

  provider = await startFakeProvider();
  stops.push(() => provider.close());
  webhook = await startWebhookReceiver();
  stops.push(() => webhook.close());
  collector = await startCollector(otelcol, 'examples/collector/otel-collector.yaml');
  stops.push(() => collector.stop());

  const example = readFileSync(join(repoRoot, 'examples/alertmanager/alertmanager.yml'), 'utf8');
  if (!example.includes(EXAMPLE_WEBHOOK)) throw new Error(`examples/alertmanager/alertmanager.yml no longer sends to ${EXAMPLE_WEBHOOK}: update this test`);

  // The example's scrape job for the Collector, less its target and name: what it keeps and renames.
  const {
    job_name: _name,
    static_configs: _targets,
    ...collectorJob
  } = (parse(readFileSync(join(repoRoot, 'examples/prometheus/prometheus-collector.yml'), 'utf8')) as { scrape_configs: Record<string, unknown>[] })
    .scrape_configs[0]!;

  for (const path of PATHS) {
    const alertmanager = await startAlertmanager(alertmanagerBin, example.replaceAll(EXAMPLE_WEBHOOK, `${webhook.url}/${path}`));
    stops.push(() => alertmanager.stop());
    const app = await startLiveApp('test/apps/dashboard-traffic.mjs', {
      env: {
        FAKE_PROVIDER_URL: provider.url,
        COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
        COSTCTL_MAX_REQUESTS_PER_DAY: String(BUDGET),
        COSTCTL_STORE: 'memory',
        COSTCTL_LEDGER: 'false',
        COSTCTL_LOG_LEVEL: 'error',
        OTEL_SERVICE_NAME: 'checkout',
        // Ten minutes ahead of the fake provider's Date header; timers keep the real monotonic clock.
        LD_PRELOAD: libfaketime,
        FAKETIME: `+${SKEW_MINUTES}m`,
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
        ...(path === 'collector'
          ? { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl, OTEL_METRIC_EXPORT_INTERVAL: '1000' }
          : {}),
      },
    });
    stops.push(() => app.stop());
    const prometheus = await startPrometheus({
      binDir: prometheusDir,
      ...(path === 'collector' ? { targets: [collector.prometheusTarget], job: collectorJob } : { targets: [app.target] }),
      ruleFiles: [join(repoRoot, 'grafana/prometheus/costctl-rules.yml')],
      alertmanagers: [alertmanager.target],
    });
    stops.push(() => prometheus.stop());
    paths[path] = { app, prometheus, alertmanager };
  }
}, 600_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** Runs `step` on both paths at once: their answers, by path. */
async function onBothPaths<T>(step: (path: PathName, parts: AlertingPath) => Promise<T>): Promise<Record<PathName, T>> {
  const answers = await Promise.all(PATHS.map((path) => step(path, paths[path])));
  return Object.fromEntries(PATHS.map((path, index) => [path, answers[index]])) as Record<PathName, T>;
}

/** Both paths' answers equal to `expected`. */
const onBoth = <T>(expected: T) => Object.fromEntries(PATHS.map((path) => [path, expected]));

/** The first notification to `receiver` of `path` that carries an alert named `alertname`. */
const notified = (path: PathName, receiver: string, alertname: string) =>
  webhook.waitFor(
    (notification) => notification.path === `/${path}/costctl/${receiver}` && notification.alerts.some((alert) => alert.labels.alertname === alertname),
  );

/** Polls Prometheus until `expr` has the single value `value`. */
async function waitForValue(prometheus: PrometheusServer, expr: string, value: number, timeoutMillis = 60_000) {
  const deadline = Date.now() + timeoutMillis;
  let seen: unknown = [];
  while (Date.now() < deadline) {
    const samples = await prometheus.query(expr);
    seen = samples.map((sample) => sample.value[1]);
    if (samples.length === 1 && Number(samples[0]!.value[1]) === value) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${expr} did not become ${value} within ${timeoutMillis} ms; it was ${JSON.stringify(seen)}\n${prometheus.log()}`);
}

describe(`an app that spends its budget of ${BUDGET} requests a day, through the Collector and scraped directly`, () => {
  it('has its calls past the budget blocked', async () => {
    const outcomes = await onBothPaths(async (_path, { app }) => (await app.ask(['openai-chat', 'openai-chat', 'openai-chat', 'openai-chat'])).outcomes);
    expect(outcomes).toEqual(onBoth(['ok', 'ok', 'ok', 'blocked:requests_per_day']));
    // The pushing app serves no /metrics: all its Prometheus holds came through the Collector.
    const served = await fetch(`http://${paths.collector.app.target}/metrics`).then(
      () => 'served',
      (error: { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(served).toBe('ECONNREFUSED');
  });

  it(
    'sends CostctlBudgetExceeded through Prometheus and Alertmanager to the on-call webhook',
    async () => {
      const notifications = await onBothPaths(async (path) => {
        const notification = await notified(path, 'oncall', 'CostctlBudgetExceeded');
        return {
          receiver: notification.receiver,
          status: notification.status,
          groupLabels: notification.groupLabels,
          alerts: notification.alerts.map((alert) => ({ status: alert.status, labels: alert.labels, summary: alert.annotations.summary })),
        };
      });
      expect(notifications).toEqual(
        onBoth({
          receiver: 'costctl-oncall',
          status: 'firing',
          groupLabels: { alertname: 'CostctlBudgetExceeded', costctl_rule: 'requests_per_day' },
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'CostctlBudgetExceeded', costctl_rule: 'requests_per_day', severity: 'critical' },
              summary: 'costctl budget requests_per_day is exceeded',
            },
          ],
        }),
      );
    },
    WAIT_MILLIS,
  );

  it(
    "holds back the same budget's CostctlBudgetCritical in Alertmanager, by the example's inhibit rule",
    async () => {
      const critical = await onBothPaths(async (_path, { alertmanager }) => {
        const deadline = Date.now() + WAIT_MILLIS / 2;
        let found: ManagedAlert | undefined;
        while (found === undefined && Date.now() < deadline) {
          found = (await alertmanager.alerts()).find(
            (alert) => alert.labels.alertname === 'CostctlBudgetCritical' && alert.labels.costctl_rule === 'requests_per_day',
          );
          if (found === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return { state: found?.status.state, inhibitions: found?.status.inhibitedBy.length };
      });
      expect(critical).toEqual(onBoth({ state: 'suppressed', inhibitions: 1 }));
    },
    WAIT_MILLIS,
  );

  it(
    'sends CostctlCallsBlocked to the team webhook once blocked calls grow',
    async () => {
      const notifications = await onBothPaths(async (path, { app, prometheus }) => {
        // increase() needs a sample before the growth: the first blocked call creates the series at 1.
        await waitForValue(prometheus, 'sum(costctl_requests_total{costctl_outcome="blocked"})', 1);
        expect((await app.ask(['openai-chat'])).outcomes).toEqual(['blocked:requests_per_day']);
        const notification = await notified(path, 'team', 'CostctlCallsBlocked');
        return { receiver: notification.receiver, alerts: notification.alerts.map((alert) => ({ status: alert.status, labels: alert.labels })) };
      });
      expect(notifications).toEqual(
        onBoth({
          receiver: 'costctl-team',
          alerts: [
            {
              status: 'firing',
              labels: {
                alertname: 'CostctlCallsBlocked',
                costctl_rule: 'requests_per_day',
                gen_ai_provider_name: 'openai',
                gen_ai_request_model: 'gpt-4o-mini',
                severity: 'warning',
              },
            },
          ],
        }),
      );
    },
    WAIT_MILLIS,
  );

  it(
    `shows its clock ${SKEW_MINUTES} minutes ahead of the provider's in costctl_clock_skew, and CostctlClockSkew pending (it fires after 5 minutes of that)`,
    async () => {
      const pending = await onBothPaths(async (_path, { prometheus }) => {
        const alerts = await prometheus.waitForAlert('CostctlClockSkew', 'pending', WAIT_MILLIS / 2);
        return alerts.map((alert) => ({
          state: alert.state,
          provider: alert.labels.gen_ai_provider_name,
          severity: alert.labels.severity,
          minutesAhead: Math.round(Number(alert.value) / 60),
        }));
      });
      expect(pending).toEqual(onBoth([{ state: 'pending', provider: 'openai', severity: 'warning', minutesAhead: SKEW_MINUTES }]));
    },
    WAIT_MILLIS,
  );

  it('stores the same costctl and gen_ai metric names on both paths, and the same budget series', async () => {
    const stored = await onBothPaths(async (_path, { prometheus }) => {
      const names = (await prometheus.query('count by (__name__) ({__name__=~"costctl_.+|gen_ai_.+"})')).map((sample) => sample.metric.__name__!).sort();
      const budget = (await prometheus.query('costctl_budget_spent')).map((sample) => ({
        costctl_rule: sample.metric.costctl_rule,
        costctl_unit: sample.metric.costctl_unit,
        value: Number(sample.value[1]),
      }));
      return { names, budget };
    });
    expect(stored.collector.names).toContain('costctl_requests_total');
    expect(stored.collector.names).toContain('costctl_clock_skew');
    expect(stored.collector).toEqual(stored.scrape);
  });
});

it('scripts/ensure-alertmanager.sh finds the Alertmanager it installed, and it runs', () => {
  expect(ensureAlertmanager()).toBe(alertmanagerBin);
  expect(execFileSync(alertmanagerBin, ['--version'], { encoding: 'utf8' })).toMatch(/^alertmanager, version /);
});

describe('the Collector scripts/ensure-otelcol.sh builds', () => {
  it('is cached: a second call finds the same binary', () => {
    expect(ensureOtelcol()).toBe(otelcol);
  });

  it('has the components the example names, from the modules tools/otelcol/go.mod pins, core and contrib at one release', () => {
    const required = new Map(
      [...readFileSync(join(repoRoot, 'tools/otelcol/go.mod'), 'utf8').matchAll(/^\s+(\S+) (v\S+)$/gm)].map(([, module, version]) => [module!, version!]),
    );
    const pinned = (module: string) => `${module} ${required.get(module)}`;
    const components = parse(execFileSync(otelcol, ['components'], { encoding: 'utf8' })) as Record<string, { name: string; module: string }[]>;
    const named = (kind: string) => components[kind]!.map(({ name, module }) => ({ name, module }));
    expect({ receivers: named('receivers'), processors: named('processors'), exporters: named('exporters') }).toEqual({
      receivers: [{ name: 'otlp', module: pinned('go.opentelemetry.io/collector/receiver/otlpreceiver') }],
      processors: [{ name: 'batch', module: pinned('go.opentelemetry.io/collector/processor/batchprocessor') }],
      exporters: [{ name: 'prometheus', module: pinned('github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusexporter') }],
    });
    // One release: core v0.N.x modules, core v1 modules of that release, contrib v0.N.x.
    const minor = (module: string) => /^v0\.(\d+)\./.exec(required.get(module) ?? '')?.[1];
    expect(minor('go.opentelemetry.io/collector/otelcol')).toBeDefined();
    expect(minor('go.opentelemetry.io/collector/receiver/otlpreceiver')).toBe(minor('go.opentelemetry.io/collector/otelcol'));
    expect(minor('go.opentelemetry.io/collector/processor/batchprocessor')).toBe(minor('go.opentelemetry.io/collector/otelcol'));
    expect(minor('github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusexporter')).toBe(minor('go.opentelemetry.io/collector/otelcol'));
  });
});
