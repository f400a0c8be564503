// grafana/render draws the overview for its screenshot: the time-to-limit
// table must read as Grafana shows it, a duration or a word, never a bare
// number of seconds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardHtml } from '../grafana/render/page.mjs';
import { formatValue } from '../grafana/render/units.mjs';
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
  const rules = ['burning', 'exhausted', 'idle'];
  const rows = (refId: string, values: number[]) => ({
    refId,
    series: rules.map((rule, index) => ({ metric: { costctl_rule: rule, costctl_unit: 'usd' }, values: [[0, String(values[index])] as [number, string]] })),
  });

  it('shows a burning rule\'s time left as a duration, an exhausted one as "reached" in red, an idle one as "no burn" in green', () => {
    const results = new Map([[panel.id, [rows('left', [2.5, 0, 4]), rows('burn', [1.12, 3, 0]), rows('time', [8040, 0, -1])]]]);
    const html = dashboardHtml({ ...dashboard, panels: [panel] }, results, { from: 0, to: 60 });
    const cells = [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map(([cell, text]) => ({ text, red: cell.includes('#F2495C'), orange: cell.includes('#FF9830'), green: cell.includes('#73BF69') }));
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
