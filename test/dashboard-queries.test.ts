// Every query of every dashboard panel, run by a real Prometheus against a
// real instrumented app: the built JSON is what Grafana would send, so a
// query that parses but finds nothing (a misspelt label value, a join that
// matches no target_info, a rate over a range too short) fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelQueries, variableLookups, type PanelQuery } from '../grafana/panel-queries.mjs';
import type { PrometheusServer } from './helpers/prometheus-server.mjs';
import { ensurePrometheus } from './helpers/prometheus-tools.js';
import { repoRoot } from './helpers/run-app.js';
import { EVERY_CALL, SERVICE_NAME, startSpendScenario, type SpendScenario } from './helpers/spend-scenario.mjs';

const files = ['costctl-overview.json', 'costctl-breakdown.json'];
const dashboards = Object.fromEntries(files.map((file) => [file, JSON.parse(readFileSync(join(repoRoot, 'grafana/dashboards', file), 'utf8'))]));

let scenario: SpendScenario;
let prometheus: PrometheusServer;
const outcomes: string[][] = [];
let from: number;
let to: number;

beforeAll(async () => {
  // $0.002 is passed in the third or fourth round: daily_spend goes warning, critical, exceeded.
  scenario = await startSpendScenario({ binDir: ensurePrometheus(), watchLimitUsd: 0.002 });
  prometheus = scenario.prometheus;
  // Four rounds, each scraped: every counter grows between samples, so rate() and increase() see it.
  for (let round = 0; round < 4; round++) outcomes.push(await scenario.round());
  await scenario.gate('trip', 'dashboard test');
  outcomes.push(await scenario.round());
  from = Math.floor(scenario.started / 1000) - 2;
  to = Date.now() / 1000;
}, 120_000);

afterAll(async () => {
  await scenario?.stop();
});

/** The dashboard's local midnight kept hours away from the run, as in a browser where it is about noon: "Spend today" covers the whole run. */
function noonOffsetMinutes(): number {
  const now = new Date();
  const minutesOfDay = now.getUTCHours() * 60 + now.getUTCMinutes();
  return ((((12 * 60 - minutesOfDay) % 1440) + 1440 + 720) % 1440) - 720;
}

interface Result {
  /** Label sets returned. */
  series: Record<string, string>[];
  /** Values returned (every point of a range query), NaN included. */
  values: number[];
}

async function run(query: PanelQuery): Promise<Result> {
  if (query.instant) {
    const vector = await prometheus.query(query.query, query.to);
    return { series: vector.map((sample) => sample.metric), values: vector.map((sample) => Number(sample.value[1])) };
  }
  const matrix = await prometheus.queryRange(query.query, query.from, query.to, query.step);
  return { series: matrix.map((series) => series.metric), values: matrix.flatMap((series) => series.values.map(([, value]) => Number(value))) };
}

/** `panel title [refId]` for failure messages. */
const where = (query: PanelQuery) => `${query.panel.title} [${query.refId}]`;

/** True when a query returned a value other than 0 and NaN: a panel that shows something. */
const hasData = (result: Result) => result.values.some((value) => Number.isFinite(value) && value !== 0);

/**
 * Runs every panel query of `dashboard` over the run with the variables in
 * `values` (unset: "All"), and lists the ones without data. No query is
 * allowed to be empty: the traffic makes data for every panel (priced,
 * unpriced and blocked calls, budgets at several levels, the gate tripped).
 */
async function runPanels(dashboard: object, values: Record<string, string | undefined>) {
  const queries = panelQueries(dashboard, { from, to, scrapeIntervalSeconds: 1, values, utcOffsetMinutes: noonOffsetMinutes() });
  const results = await Promise.all(queries.map(async (query) => ({ query, result: await run(query) })));
  const empty = results.filter(({ result }) => !hasData(result)).map(({ query }) => `${where(query)}: ${query.query}`);
  return { queries, results, empty };
}

describe('the traffic the queries run against', () => {
  it('made priced and unpriced calls, hit the gpt-4o budget after one call, and was blocked by the gate once it was tripped', () => {
    const capped = EVERY_CALL.indexOf('capped');
    expect(outcomes.slice(0, 4).map((round) => round[capped])).toEqual(['ok', 'blocked:gpt4o_daily', 'blocked:gpt4o_daily', 'blocked:gpt4o_daily']);
    for (const round of outcomes.slice(0, 4)) expect(round.filter((_, index) => index !== capped)).toEqual(EVERY_CALL.slice(0, -1).map(() => 'ok'));
    expect(outcomes[4]).toEqual(EVERY_CALL.map(() => 'blocked:gate'));
  });
});

for (const file of files) {
  describe(file, () => {
    const dashboard = dashboards[file]!;

    it('every panel query returns non-zero data with every variable at "All"', async () => {
      const { queries, empty } = await runPanels(dashboard, {});
      // The dashboard has the panels it is for, so an empty list cannot pass by accident.
      expect(queries.length).toBeGreaterThanOrEqual(file === 'costctl-overview.json' ? 15 : 10);
      expect(empty).toEqual([]);
    });

    it("with the app's service and provider openai picked, every query still has data, and only openai's", async () => {
      const { results, empty } = await runPanels(dashboard, { service: SERVICE_NAME, provider: 'openai' });
      expect(empty).toEqual([]);
      const providers = new Set(
        results.flatMap(({ result }) => result.series.map((labels) => labels.gen_ai_provider_name)).filter((name) => name !== undefined),
      );
      expect([...providers]).toEqual(['openai']);
    });

    it('with one model picked (gpt-4.1-mini, a dot Grafana escapes), queries return that model only, and its spend, tokens and latency', async () => {
      const { results } = await runPanels(dashboard, { model: 'gpt-4.1-mini' });
      const models = new Set(
        results.flatMap(({ result }) => result.series.map((labels) => labels.gen_ai_request_model)).filter((model) => model !== undefined),
      );
      expect([...models]).toEqual(['gpt-4.1-mini']);
      const itsCalls = results.filter(({ query }) => /costctl_cost_usd_total|costctl_tokens_total|gen_ai_client_operation_duration/.test(query.expr));
      expect(itsCalls.length).toBeGreaterThan(0);
      expect(itsCalls.filter(({ result }) => !hasData(result)).map(({ query }) => where(query))).toEqual([]);
    });

    it('a service that is not there empties every query: each one honours $service', async () => {
      const { results } = await runPanels(dashboard, { service: 'no-such-service' });
      expect(results.filter(({ result }) => result.series.length > 0).map(({ query }) => where(query))).toEqual([]);
    });

    it('the service, provider and model drop-downs list what the app reported', async () => {
      const lookups = variableLookups(dashboard, {});
      const options = Object.fromEntries(
        await Promise.all(lookups.map(async ({ name, label, match }) => [name, (await prometheus.labelValues(label, match, from, to)).sort()])),
      );
      expect(options).toEqual({
        service: [SERVICE_NAME],
        provider: ['anthropic', 'openai'],
        model: ['acme-llm-7b', 'claude-haiku-4-5', 'claude-sonnet-4-6', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'],
      });
    });
  });
}

describe('the overview shows a rule that refuses calls', () => {
  // Regression: gpt4o_daily refused every gpt-4o call after the first, its spend short of its limit, and "Budget level" showed it as a warning.
  it('"Budget level" shows gpt4o_daily exceeded, and "Blocked calls" names the rule', async () => {
    const { results } = await runPanels(dashboards['costctl-overview.json']!, {});
    const panel = (title: string) => results.filter(({ query }) => query.panel.title === title);
    const levels = panel('Budget level').flatMap(({ result }) => result.series);
    expect(levels.map((labels) => labels.costctl_rule)).toContain('gpt4o_daily');
    const { query } = panel('Budget level')[0]!;
    const series = await prometheus.queryRange(query.query, query.from, query.to, query.step);
    const gpt4o = series.find((one) => one.metric.costctl_rule === 'gpt4o_daily')!;
    // From its first refusal on: its last point is 3, though spend stayed below the limit.
    expect(gpt4o.values.at(-1)?.[1]).toBe('3');
    const blocked = panel('Blocked calls by rule, provider and model').flatMap(({ result }) => result.series.map((labels) => labels.costctl_rule));
    expect(blocked).toContain('gpt4o_daily');
  });
});

describe('"Time to limit" reads at any moment, even minutes into a window', () => {
  // Regression: "Forecast to limit" plotted a straight line through the window's first samples as a share of the
  // limit, and a rule that had spent most of its limit in one call read 300000%.
  it('gives each rule one row: "reached" (0) for the rules at or refusing at their limit, a time for the ones burning toward it', async () => {
    const { results } = await runPanels(dashboards['costctl-overview.json']!, {});
    const column = (refId: string) =>
      Object.fromEntries(
        results
          .filter(({ query }) => query.panel.title === 'Time to limit' && query.refId === refId)
          .flatMap(({ result }) => result.series.map((labels, index) => [labels.costctl_rule!, result.values[index]!])),
      );
    const seconds = column('time');
    expect(Object.keys(seconds).sort()).toEqual(['credits_anthropic', 'credits_openai', 'daily_spend', 'gpt4o_daily']);
    // daily_spend passed its limit; gpt4o_daily refuses gpt-4o calls short of its limit.
    expect(seconds.daily_spend).toBe(0);
    expect(seconds.gpt4o_daily).toBe(0);
    // The prepaid balances ($25 each) are burning, far from their end: a positive, finite time, with the burn behind it.
    const burn = column('burn');
    for (const rule of ['credits_openai', 'credits_anthropic']) {
      expect(burn[rule]).toBeGreaterThan(0);
      expect(seconds[rule]).toBeGreaterThan(0);
      expect(seconds[rule]).toBeLessThan(Number.POSITIVE_INFINITY);
      expect(seconds[rule]).toBeCloseTo(column('left')[rule]! / (burn[rule]! / 3600), 0);
    }
  });
});

describe('the alert rules, evaluated by the same Prometheus', () => {
  it('fire for the tripped gate, the exceeded budget, the blocked and the unpriced calls', async () => {
    const firing = async (name: string) =>
      (await prometheus.waitForAlert(name, 'firing')).filter((alert) => alert.state === 'firing').map((alert) => alert.labels);
    expect(await firing('CostctlGateTripped')).toEqual([expect.objectContaining({ severity: 'critical' })]);
    // daily_spend passed its limit; gpt4o_daily refuses gpt-4o calls (block mode), its spend short of its limit.
    expect((await firing('CostctlBudgetExceeded')).map((labels) => labels.costctl_rule).sort()).toEqual(['daily_spend', 'gpt4o_daily']);
    expect((await firing('CostctlBudgetCritical')).map((labels) => labels.costctl_rule).sort()).toEqual(['daily_spend', 'gpt4o_daily']);
    expect(await firing('CostctlCallsBlocked')).toContainEqual(
      expect.objectContaining({ costctl_rule: 'gpt4o_daily', gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o' }),
    );
    expect(await firing('CostctlUnpricedCalls')).toEqual([expect.objectContaining({ gen_ai_request_model: 'acme-llm-7b', costctl_reason: 'unknown_model' })]);
    // Seven models, no label past its bound: the cardinality alerts stay quiet.
    const names = (await prometheus.alerts()).map((alert) => alert.labels.alertname);
    expect(names).not.toContain('CostctlCardinalityOverflow');
    expect(names).not.toContain('CostctlHighCardinality');
  });
});
