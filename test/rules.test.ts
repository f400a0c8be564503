import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportedSeries } from './helpers/exported-series.js';
import { ensurePrometheus, promqlNames, promtool, rulesFileNames } from './helpers/prometheus-tools.js';
import type { Sample } from './helpers/prometheus.js';
import { repoRoot } from './helpers/run-app.js';

const rulesFile = 'grafana/prometheus/costctl-rules.yml';
const rulesPath = join(repoRoot, rulesFile);
let bin: string;

beforeAll(() => {
  // Installs Prometheus when it is missing; throws (and fails every test here) when it cannot.
  bin = ensurePrometheus();
}, 300_000);

describe('grafana/prometheus/costctl-rules.yml', () => {
  it('passes promtool check rules', () => {
    const run = promtool(bin, ['check', 'rules', rulesFile]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('fires, and stays quiet, exactly as costctl-rules.test.yml expects', () => {
    const run = promtool(bin, ['test', 'rules', 'grafana/prometheus/costctl-rules.test.yml']);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

describe('the PromQL name reader', () => {
  it('reads metrics and labels, not label values, strings or recorded series', () => {
    const names = promqlNames(
      'sum by (tenant, gen_ai_token_type) (rate(costctl_tokens_total{costctl_rule="costctl_fake", team!~"x"}[5m])) / on (tenant) costctl:cost_usd:rate5m and count({__name__=~"gen_ai_client_.+"}) > gen_ai_client_token_usage_bucket',
    );
    expect([...names.metrics].sort()).toEqual(['costctl_tokens_total', 'gen_ai_client_token_usage_bucket']);
    expect([...names.labels].sort()).toEqual(['costctl_rule', 'gen_ai_token_type', 'team', 'tenant']);
  });
});

describe('every metric and label the rules read is one the SDK exports', () => {
  let samples: Sample[];

  beforeAll(async () => {
    samples = await exportedSeries();
  }, 120_000);

  /**
   * Labels that are not in this scrape yet are real: `__name__`, the name of
   * every series; `job` and `instance`, which Prometheus adds to every series
   * it scrapes; and the overflow label, exported only past the series bound
   * (test/cardinality-alert.test.ts drives an app there and sees the alert
   * that reads it fire in a real Prometheus).
   */
  const LABELS_BEYOND_THIS_SCRAPE = ['__name__', 'job', 'instance', 'otel_metric_overflow'];

  /** The metric names and label names of the scrape, and the series the rules rely on being there at all. */
  function exported() {
    const metrics = new Set(samples.map((sample) => sample.name));
    const labels = new Set([...samples.flatMap((sample) => Object.keys(sample.labels)), ...LABELS_BEYOND_THIS_SCRAPE]);
    return { metrics, labels };
  }

  function expectExported(names: { metrics: Set<string>; labels: Set<string> }) {
    const { metrics, labels } = exported();
    // A histogram is exported as its _bucket, _sum and _count series.
    const missingMetrics = [...names.metrics].filter((name) => !metrics.has(name) && !metrics.has(`${name}_bucket`));
    const missingLabels = [...names.labels].filter((name) => !labels.has(name));
    expect({ missingMetrics, missingLabels }).toEqual({ missingMetrics: [], missingLabels: [] });
  }

  it('made the calls the scrape needs: priced, blocked and unpriced', () => {
    const { metrics } = exported();
    for (const name of [
      'costctl_cost_usd_total',
      'costctl_tokens_total',
      'costctl_requests_total',
      'costctl_unpriced_requests_total',
      'costctl_budget_spent',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(samples.some((sample) => sample.name === 'costctl_requests_total' && sample.labels.costctl_outcome === 'blocked')).toBe(true);
  });

  it('holds for grafana/prometheus/costctl-rules.yml', () => {
    const names = rulesFileNames(readFileSync(rulesPath, 'utf8'));
    // The reader found what the file is about, so an empty result cannot pass by accident.
    expect(names.metrics).toContain('costctl_budget_spent');
    expect(names.metrics).toContain('costctl_unpriced_requests_total');
    expect(names.labels).toContain('costctl_rule');
    expectExported(names);
  });

  it('holds for what costctl rules prints', () => {
    const names = rulesFileNames(costctlRules({ COSTCTL_DAILY_LIMIT_USD: '10' }).stdout);
    expect(names.metrics).toContain('costctl_budget_limit');
    expectExported(names);
  });
});

/** Runs the built CLI's `costctl rules` in an empty directory with `env`. */
function costctlRules(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'costctl-rules-'));
  const stdout = execFileSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), 'rules'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, COSTCTL_STATE_DIR: join(cwd, '.costctl'), ...env },
    encoding: 'utf8',
  });
  return { cwd, stdout };
}

describe('costctl rules', () => {
  it('prints alert rules for the budgets configured that pass promtool check rules', () => {
    const { cwd, stdout } = costctlRules({ COSTCTL_DAILY_LIMIT_USD: '10', COSTCTL_MAX_REQUESTS_PER_MINUTE: '30' });
    const alerts = (parse(stdout) as { groups: { rules: { alert: string; expr: string; labels: Record<string, string> }[] }[] }).groups[0]!.rules;
    expect(alerts.map((alert) => `${alert.alert} ${alert.labels.costctl_rule}`)).toEqual([
      'CostctlBudgetRuleWarning daily_usd',
      'CostctlBudgetRuleCritical daily_usd',
      'CostctlBudgetRuleForecast daily_usd',
      'CostctlBudgetRuleWarning requests_per_minute',
      'CostctlBudgetRuleCritical requests_per_minute',
      'CostctlBudgetRuleForecast requests_per_minute',
    ]);
    expect(alerts[0]!.expr).toBe(
      'max by (costctl_rule, costctl_unit) (costctl_budget_spent{costctl_rule="daily_usd"}) / max by (costctl_rule, costctl_unit) (costctl_budget_limit{costctl_rule="daily_usd"}) >= 0.7',
    );
    expect(alerts[1]!.expr).toMatch(/>= 0\.9$/);
    // The forecast never looks past the end of a one-minute window.
    expect(alerts[5]!.expr).toContain('predict_linear(costctl_budget_spent{costctl_rule="requests_per_minute"}[1m], 60)');
    writeFileSync(join(cwd, 'costctl-budget-rules.yml'), stdout);
    const run = promtool(bin, ['check', 'rules', 'costctl-budget-rules.yml'], { cwd });
    expect(run.output).toContain('SUCCESS: 6 rules found');
    expect(run.status).toBe(0);
  });
});

describe('examples/prometheus/prometheus.yml', () => {
  it('passes promtool check config, scrapes the SDK endpoint and loads the rules file', () => {
    const run = promtool(bin, ['check', 'config', 'examples/prometheus/prometheus.yml']);
    expect(run.output).toContain('SUCCESS: 1 rule files found');
    expect(run.status).toBe(0);
    const config = parse(readFileSync(join(repoRoot, 'examples/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files.map((file) => resolve(join(repoRoot, 'examples/prometheus'), file))).toEqual([rulesPath]);
    expect(config.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets))).toEqual(['localhost:9464']);
  });
});

describe('examples/prometheus/prometheus-collector.yml', () => {
  it("passes promtool check config, scrapes the Collector keeping the apps' job and instance, loads the rules file and alerts an Alertmanager", () => {
    const run = promtool(bin, ['check', 'config', 'examples/prometheus/prometheus-collector.yml']);
    expect(run.output).toContain('SUCCESS: 1 rule files found');
    expect(run.status).toBe(0);
    const config = parse(readFileSync(join(repoRoot, 'examples/prometheus/prometheus-collector.yml'), 'utf8')) as {
      rule_files: string[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      scrape_configs: { honor_labels?: boolean; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files.map((file) => resolve(join(repoRoot, 'examples/prometheus'), file))).toEqual([rulesPath]);
    expect(config.scrape_configs.map((job) => ({ honor_labels: job.honor_labels, targets: job.static_configs.flatMap((s) => s.targets) }))).toEqual([
      { honor_labels: true, targets: ['localhost:8889'] },
    ]);
    expect(config.alerting.alertmanagers.flatMap((manager) => manager.static_configs.flatMap((s) => s.targets))).toEqual(['localhost:9093']);
  });
});

describe('examples/collector/otel-collector.yaml', () => {
  interface CollectorConfig {
    receivers: Record<string, { protocols?: Record<string, { endpoint?: string }> }>;
    processors?: Record<string, unknown>;
    exporters: Record<string, Record<string, unknown>>;
    service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
  }
  const config = parse(readFileSync(join(repoRoot, 'examples/collector/otel-collector.yaml'), 'utf8')) as CollectorConfig;

  /** What `${env:NAME:-default}` gives when NAME is unset. */
  const byDefault = (value: unknown) => String(value).replace(/^\$\{env:\w+:-(.*)\}$/, '$1');

  it('receives OTLP over gRPC on 4317 and HTTP on 4318 unless told otherwise', () => {
    expect(byDefault(config.receivers.otlp?.protocols?.grpc?.endpoint)).toBe('0.0.0.0:4317');
    expect(byDefault(config.receivers.otlp?.protocols?.http?.endpoint)).toBe('0.0.0.0:4318');
  });

  // test/collector-alerting.test.ts runs this file in a real Collector and compares the names Prometheus stores.
  it('exports to Prometheus with underscores and suffixes, resource attributes on target_info only', () => {
    expect(config.exporters.prometheus).toMatchObject({
      translation_strategy: 'UnderscoreEscapingWithSuffixes',
      resource_to_telemetry_conversion: { enabled: false },
    });
    expect(byDefault(config.exporters.prometheus!.endpoint)).toBe('0.0.0.0:8889');
  });

  it('wires a metrics pipeline from otlp to prometheus, naming only components it defines and leaving none unused', () => {
    const pipelines = Object.entries(config.service.pipelines);
    expect(pipelines.map(([name]) => name)).toEqual(['metrics']);
    const [, metrics] = pipelines[0]!;
    expect(metrics.receivers).toEqual(['otlp']);
    expect(metrics.exporters).toEqual(['prometheus']);
    const kinds = [
      ['receivers', config.receivers, metrics.receivers],
      ['processors', config.processors ?? {}, metrics.processors ?? []],
      ['exporters', config.exporters, metrics.exporters],
    ] as const;
    for (const [kind, defined, used] of kinds) expect({ kind, used: [...used].sort() }).toEqual({ kind, used: Object.keys(defined).sort() });
  });
});

it('scripts/ensure-prometheus.sh prints a directory holding both binaries, the same one again once they are installed', () => {
  expect(ensurePrometheus()).toBe(bin);
  expect(promtool(bin, ['--version']).output).toMatch(/^promtool, version /);
  expect(dirname(join(bin, 'prometheus'))).toBe(bin);
});
