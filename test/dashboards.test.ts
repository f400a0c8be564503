import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportedSeries } from './helpers/exported-series.js';
import { promqlNames, type PromqlNames } from './helpers/prometheus-tools.js';
import type { Sample } from './helpers/prometheus.js';
import { repoRoot } from './helpers/run-app.js';

const dashboardsDir = join(repoRoot, 'grafana/dashboards');
const files = ['costctl-overview.json', 'costctl-breakdown.json'];
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, not a template literal
const DATASOURCE_VARIABLE = '${datasource}';

interface Target {
  expr?: string;
}
interface Panel {
  id?: number;
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
  datasource?: { type?: string; uid?: string };
}
interface Variable {
  type: string;
  name: string;
  query?: string | { query?: string };
  datasource?: { type?: string; uid?: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboards = Object.fromEntries(files.map((file) => [file, JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard]));

function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every PromQL expression of a dashboard: its panels' targets and its query variables. */
function expressions(dashboard: Dashboard): { where: string; expr: string }[] {
  const exprs = allPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr ?? '' })));
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const expr = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    exprs.push({ where: `variable $${variable.name}`, expr });
  }
  return exprs;
}

/** Grafana's own variables, and the PromQL functions and keywords the dashboards use: everything else bare is a metric. */
const NOT_METRICS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'deriv',
  'clamp_min',
  'histogram_quantile',
  'label_values',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
]);

/**
 * promqlNames, plus what it leaves out on purpose: `target_info` (not a
 * costctl_/gen_ai_ name) and the label of Grafana's `label_values(selector, label)`.
 * Also returns every bare identifier, so a metric outside those prefixes
 * cannot slip through unchecked.
 */
function dashboardNames(expr: string, into: PromqlNames): { bare: string[] } {
  let code = expr;
  const labelValues = /^\s*label_values\(\s*(?:(.*),\s*)?([a-zA-Z_]\w*)\s*\)\s*$/.exec(code);
  if (labelValues) {
    into.labels.add(labelValues[2]!);
    code = labelValues[1] ?? '';
  }
  promqlNames(code, into);
  const stripped = code
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const bare = [...stripped.matchAll(/(?<![\w.$])[a-zA-Z_:][\w:]*/g)].map(([name]) => name).filter((name) => !NOT_METRICS.has(name));
  for (const name of bare) if (name === 'target_info') into.metrics.add(name);
  return { bare };
}

describe('scripts/build-dashboards.mjs', () => {
  it('builds exactly the checked-in JSON, the same on every run', () => {
    const built = [1, 2].map(() => {
      const out = mkdtempSync(join(tmpdir(), 'costctl-dashboards-'));
      execFileSync(process.execPath, [join(repoRoot, 'scripts/build-dashboards.mjs'), out], { cwd: repoRoot, encoding: 'utf8' });
      expect(readdirSync(out).sort()).toEqual([...files].sort());
      return Object.fromEntries(files.map((file) => [file, readFileSync(join(out, file), 'utf8')]));
    });
    expect(built[1]).toEqual(built[0]);
    for (const file of files) {
      // Rebuild with `node scripts/build-dashboards.mjs` when this fails.
      expect({ file, json: readFileSync(join(dashboardsDir, file), 'utf8') }).toEqual({ file, json: built[0]![file] });
    }
  });
});

describe('the dashboards', () => {
  const expected: Record<string, { uid: string; panels: string[] }> = {
    'costctl-overview.json': {
      uid: 'costctl-overview',
      panels: [
        'Spend today',
        'Budget spent vs limit',
        'Budget used per rule',
        'Burn rate',
        'Time to limit',
        'Gate state',
        'Blocked calls',
        'Unpriced calls by reason',
      ],
    },
    'costctl-breakdown.json': {
      uid: 'costctl-breakdown',
      panels: ['Spend by provider', 'Spend by model', 'Spend by operation', 'Tokens by type', 'Latency', 'Cost per request'],
    },
  };

  for (const file of files) {
    describe(file, () => {
      const dashboard = dashboards[file]!;

      it('has its stable uid and the panels it is for', () => {
        expect(dashboard.uid).toBe(expected[file]!.uid);
        const titles = allPanels(dashboard).map((panel) => panel.title);
        for (const title of expected[file]!.panels) expect(titles).toContain(title);
        const ids = allPanels(dashboard).map((panel) => panel.id);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it('has the datasource, service, provider and model variables, read from the metrics they filter', () => {
        const byName = Object.fromEntries(dashboard.templating.list.map((variable) => [variable.name, variable]));
        expect(Object.keys(byName)).toEqual(['datasource', 'service', 'provider', 'model']);
        expect(byName.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
        expect(byName.service).toMatchObject({ type: 'query', query: 'label_values(target_info, service_name)' });
        expect(byName.provider).toMatchObject({ type: 'query', query: 'label_values(costctl_requests_total, gen_ai_provider_name)' });
        expect(byName.model).toMatchObject({ type: 'query' });
        expect(byName.model!.query).toMatch(/^label_values\(costctl_requests_total\{.*\}, gen_ai_request_model\)$/);
      });

      it('queries through the datasource variable, and every call query honours $service, $provider and $model', () => {
        for (const panel of allPanels(dashboard).filter((panel) => panel.type !== 'row')) {
          expect({ title: panel.title, datasource: panel.datasource }).toEqual({
            title: panel.title,
            datasource: { type: 'prometheus', uid: DATASOURCE_VARIABLE },
          });
          expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        }
        for (const { where, expr } of expressions(dashboard)) {
          if (where.startsWith('variable')) continue;
          expect({ where, expr }).toMatchObject({ expr: expect.stringContaining('target_info{service_name=~"$service"}') });
          if (/costctl_(?:cost_usd|tokens|requests|unpriced_requests)_total|gen_ai_client_/.test(expr)) {
            expect({ where, expr }).toMatchObject({ expr: expect.stringMatching(/gen_ai_provider_name=~"\$provider", gen_ai_request_model=~"\$model"/) });
          }
        }
      });
    });
  }
});

describe('every metric and label the dashboards query is one the SDK exports', () => {
  let samples: Sample[];

  beforeAll(async () => {
    samples = await exportedSeries();
  }, 120_000);

  /** Labels Prometheus adds to every series it scrapes: the join from call series to target_info. */
  const TARGET_LABELS = ['job', 'instance'];

  it('made the calls the scrape needs, and the scrape has target_info with service_name', () => {
    const metrics = new Set(samples.map((sample) => sample.name));
    for (const name of [
      'costctl_cost_usd_total',
      'costctl_requests_total',
      'costctl_unpriced_requests_total',
      'costctl_budget_spent',
      'costctl_budget_limit',
      'target_info',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(samples.some((sample) => sample.name === 'target_info' && typeof sample.labels.service_name === 'string')).toBe(true);
  });

  for (const file of files) {
    it(`holds for ${file}`, () => {
      const exportedMetrics = new Set(samples.map((sample) => sample.name));
      const exportedLabels = new Set([...samples.flatMap((sample) => Object.keys(sample.labels)), ...TARGET_LABELS]);
      const isExported = (name: string) => exportedMetrics.has(name) || exportedMetrics.has(`${name}_bucket`);
      const names: PromqlNames = { metrics: new Set(), labels: new Set() };
      const unknownBare: string[] = [];
      for (const { where, expr } of expressions(dashboards[file]!)) {
        expect(expr, where).not.toBe('');
        for (const name of dashboardNames(expr, names).bare) if (!isExported(name)) unknownBare.push(`${where}: ${name}`);
      }
      // The reader found what the dashboard is about, so an empty result cannot pass by accident.
      expect(names.metrics.size).toBeGreaterThan(3);
      expect(names.metrics).toContain('target_info');
      expect(names.labels).toContain('service_name');
      expect(names.labels).toContain('gen_ai_provider_name');
      const missingMetrics = [...names.metrics].filter((name) => !isExported(name));
      const missingLabels = [...names.labels].filter((name) => !exportedLabels.has(name));
      expect({ missingMetrics, missingLabels, unknownBare }).toEqual({ missingMetrics: [], missingLabels: [], unknownBare: [] });
    });
  }

  it('the overview reads the budget, gate, blocked and unpriced series; the breakdown the tokens and latency ones', () => {
    const read = (file: string) => {
      const names: PromqlNames = { metrics: new Set(), labels: new Set() };
      for (const { expr } of expressions(dashboards[file]!)) dashboardNames(expr, names);
      return names;
    };
    const overview = read('costctl-overview.json');
    for (const name of [
      'costctl_cost_usd_total',
      'costctl_budget_spent',
      'costctl_budget_limit',
      'costctl_budget_level',
      'costctl_gate_tripped',
      'costctl_requests_total',
      'costctl_unpriced_requests_total',
    ]) {
      expect(overview.metrics).toContain(name);
    }
    expect(overview.labels).toContain('costctl_reason');
    const breakdown = read('costctl-breakdown.json');
    for (const name of ['costctl_cost_usd_total', 'costctl_tokens_total', 'gen_ai_client_operation_duration_bucket', 'costctl_requests_total'])
      expect(breakdown.metrics).toContain(name);
    for (const label of ['gen_ai_token_type', 'gen_ai_operation_name', 'gen_ai_request_model', 'le']) expect(breakdown.labels).toContain(label);
  });
});

describe('grafana/provisioning', () => {
  it('provisions a Prometheus datasource with uid prometheus, its URL from PROMETHEUS_URL', () => {
    const config = parse(readFileSync(join(repoRoot, 'grafana/provisioning/datasources/costctl.yaml'), 'utf8')) as {
      apiVersion: number;
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(config.apiVersion).toBe(1);
    expect(config.datasources).toHaveLength(1);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's provisioning expands ${PROMETHEUS_URL} from the environment
    expect(config.datasources[0]).toMatchObject({ uid: 'prometheus', type: 'prometheus', url: '${PROMETHEUS_URL}' });
    // The dashboards' datasource variable defaults to that uid.
    for (const dashboard of Object.values(dashboards)) {
      expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', current: { value: 'prometheus' } });
    }
  });

  it('provisions the dashboards directory through a file provider', () => {
    const config = parse(readFileSync(join(repoRoot, 'grafana/provisioning/dashboards/costctl.yaml'), 'utf8')) as {
      apiVersion: number;
      providers: { name: string; type: string; options: { path: string } }[];
    };
    expect(config.apiVersion).toBe(1);
    expect(config.providers).toEqual([
      expect.objectContaining({ name: 'costctl', type: 'file', options: expect.objectContaining({ path: expect.any(String) }) }),
    ]);
    // The README's docker example mounts grafana/dashboards at that path.
    expect(readFileSync(join(repoRoot, 'grafana/README.md'), 'utf8')).toContain(`grafana/dashboards:${config.providers[0]!.options.path}`);
  });
});
