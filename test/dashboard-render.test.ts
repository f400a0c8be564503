// The overview's "Time to limit" table: its query, evaluated by promtool over
// series of an idle, a burning and a refusing rule, and its drawing for the
// screenshot (grafana/render), which must read as Grafana shows it, a
// duration or a word, never a bare number of seconds.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { dashboardHtml } from '../grafana/render/page.mjs';
import { formatValue } from '../grafana/render/units.mjs';
import { ensurePrometheus, promtool } from './helpers/prometheus-tools.js';
import { repoRoot } from './helpers/run-app.js';

describe('formatValue, unit dtdurations (Grafana\'s "duration (s)")', () => {
  it('writes the largest whole unit, then as many more as the decimals say', () => {
    expect(formatValue(8040, 'dtdurations', 1)).toBe('2 hours, 14 minutes');
    expect(formatValue(8040, 'dtdurations', undefined)).toBe('2 hours');
    expect(formatValue(3600, 'dtdurations', 1)).toBe('1 hour, 0 minutes');
    expect(formatValue(90_000, 'dtdurations', 1)).toBe('1 day, 1 hour');
    expect(formatValue(40_000_000, 'dtdurations', 1)).toBe('1 year, 3 months');
    expect(formatValue(7.78, 'dtdurations', 1)).toBe('7 seconds, 780 milliseconds');
    expect(formatValue(0, 'dtdurations', 1)).toBe('0 seconds');
  });
});

describe('the overview\'s "Time to limit" table', () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, 'grafana/dashboards/costctl-overview.json'), 'utf8'));
  const panel = dashboard.panels.find((candidate: { title: string }) => candidate.title === 'Time to limit');
  const expr = (refId: string) => panel.targets.find((target: { refId: string }) => target.refId === refId).expr.replaceAll('$service', '.*');

  it('answers -1 for a rule whose spend is flat, the seconds left at its burn for a growing one, 0 for one refusing calls', () => {
    const dir = mkdtempSync(join(tmpdir(), 'costctl-time-to-limit-'));
    writeFileSync(
      join(dir, 'rules.yml'),
      stringify({
        groups: [
          {
            name: 'panel',
            rules: [
              { record: 'time_to_limit', expr: expr('time') },
              { record: 'burn_per_hour', expr: expr('burn') },
            ],
          },
        ],
      }),
    );
    const rule = (name: string, spent: string, level: number) => [
      { series: `costctl_budget_spent{job="app",instance="a",costctl_rule="${name}",costctl_unit="usd"}`, values: spent },
      { series: `costctl_budget_limit{job="app",instance="a",costctl_rule="${name}",costctl_unit="usd"}`, values: '10x20' },
      { series: `costctl_budget_level{job="app",instance="a",costctl_rule="${name}"}`, values: `${level}x20` },
    ];
    const sample = (metric: string, name: string, value: number) => ({ labels: `${metric}{costctl_rule="${name}",costctl_unit="usd"}`, value });
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'target_info{job="app",instance="a",service_name="bot"}', values: '1x20' },
            ...rule('idle', '2x20', 0),
            // $0.10 a minute: at 20 minutes $2 spent, $8 left, 80 minutes to go.
            ...rule('burning', '0+0.1x20', 0),
            ...rule('refusing', '0+0.1x20', 3),
          ],
          promql_expr_test: [
            {
              expr: 'time_to_limit',
              eval_time: '20m',
              exp_samples: [sample('time_to_limit', 'idle', -1), sample('time_to_limit', 'burning', 4800), sample('time_to_limit', 'refusing', 0)],
            },
            { expr: 'burn_per_hour{costctl_rule="burning"}', eval_time: '20m', exp_samples: [sample('burn_per_hour', 'burning', 6)] },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'test.yml'), stringify(tests));
    const run = promtool(ensurePrometheus(), ['test', 'rules', 'test.yml'], { cwd: dir });
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  }, 120_000);
  const rules = ['burning', 'exhausted', 'idle'];
  const rows = (refId: string, values: number[]) => ({
    refId,
    series: rules.map((rule, index) => ({ metric: { costctl_rule: rule, costctl_unit: 'usd' }, values: [[0, String(values[index])] as [number, string]] })),
  });

  it('shows a burning rule\'s time left as a duration, an exhausted one as "reached" in red, an idle one as "no burn" in green', () => {
    const results = new Map([[panel.id, [rows('left', [2.5, 0, 4]), rows('burn', [1.12, 3, 0]), rows('time', [8040, 0, -1])]]]);
    const html = dashboardHtml({ ...dashboard, panels: [panel] }, results, { from: 0, to: 60 });
    const cells = [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map(([cell, text]) => ({
      text,
      red: cell.includes('#F2495C'),
      orange: cell.includes('#FF9830'),
      green: cell.includes('#73BF69'),
    }));
    const timeColumn = cells.filter((_, index) => index % 5 === 4);
    expect(timeColumn).toEqual([
      // Over an hour, under four: the orange step of the column's thresholds.
      { text: '2 hours, 14 minutes', red: false, orange: true, green: false },
      { text: 'reached', red: true, orange: false, green: false },
      { text: 'no burn', red: false, orange: false, green: true },
    ]);
    expect(html).toContain('<th>Limit reached in</th>');
    expect(cells.filter((_, index) => index % 5 === 0).map(({ text }) => text)).toEqual(rules);
  });
});
