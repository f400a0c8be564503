// CostctlCardinalityOverflow for real: an app that puts a user id into an
// allow-listed label passes the per-instrument series bound (MAX_SERIES in
// packages/otel/src/telemetry/series-totals.ts), and a real Prometheus that
// scrapes it and evaluates grafana/prometheus/costctl-rules.yml sends the
// alert firing. (costctl-rules.test.yml tests the same alert on synthetic
// series; this shows that the series the SDK really exports match it.)
//
// The first users' calls are priced; then a request budget is spent and
// every further call is blocked, as on a busy day: blocked calls still count
// in costctl_requests_total with their labels, but record no tokens, cost or
// histograms, so the export past the bound stays small (a few thousand
// series, not the ~75,000 that 2000 priced label sets make) and quick to scrape.
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApp, type LiveApp } from './helpers/live-app.mjs';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus-server.mjs';
import { ensurePrometheus } from './helpers/prometheus-tools.js';
import { repoRoot } from './helpers/run-app.js';

/** Series a costctl counter keeps before it counts into the overflow series. */
const MAX_SERIES = 1999;
/** Calls the request budget lets through: the first users' calls are priced. */
const BUDGET = 100;
const USERS_PAST = 2100;

let provider: FakeProvider;
let app: LiveApp;
let prometheus: PrometheusServer;

beforeAll(async () => {
  const binDir = ensurePrometheus();
  provider = await startFakeProvider();
  const dir = mkdtempSync(join(tmpdir(), 'costctl-cardinality-'));
  writeFileSync(
    join(dir, 'costctl.config.json'),
    JSON.stringify({ rules: [{ name: 'requests_total', limit: BUDGET, unit: 'requests', window: 'total', action: 'block' }] }),
  );
  app = await startLiveApp('test/apps/tenant-per-user.mjs', {
    env: {
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      COSTCTL_CONFIG: join(dir, 'costctl.config.json'),
      COSTCTL_LABELS: 'tenant',
      // Thousands of ledger lines and store writes would only slow the test down.
      COSTCTL_LEDGER: 'false',
      COSTCTL_STORE: 'memory',
    },
  });
  prometheus = await startPrometheus({ binDir, targets: [app.target], ruleFiles: [join(repoRoot, 'grafana/prometheus/costctl-rules.yml')] });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await prometheus?.stop();
  await provider?.close();
});

/** Calls as `users` new users, then waits until Prometheus has scraped the result and evaluated the rules on it. */
async function callAsNewUsers(users: number) {
  const outcomes = await app.ask({ users }, 60_000);
  await prometheus.waitForScrape(Date.now());
  await prometheus.waitForEvaluation('costctl-telemetry', Date.now());
  return outcomes;
}

const alertNamed = async (name: string) => (await prometheus.alerts()).filter((alert) => alert.labels.alertname === name);
const values = async (expr: string) => (await prometheus.query(expr)).map((sample) => Number(sample.value[1]));
/** Label sets per metric among `names` (a regex of metric names). */
const labelSets = async (names: string) =>
  Object.fromEntries(
    (await prometheus.query(`count by (__name__) ({__name__=~"${names}"})`)).map((sample) => [sample.metric.__name__, Number(sample.value[1])]),
  );

describe('a tenant label with a user id in it', () => {
  it(`within the bound (${BUDGET} users, all priced), nothing overflows and both cardinality alerts stay inactive`, async () => {
    expect(await callAsNewUsers(BUDGET)).toEqual({ ok: BUDGET, blocked: 0, failed: 0 });
    expect(await labelSets('costctl_(?:cost_usd|requests|tokens)_total')).toEqual({
      costctl_cost_usd_total: BUDGET,
      costctl_requests_total: BUDGET,
      costctl_tokens_total: 2 * BUDGET,
    });
    expect(await prometheus.query('{otel_metric_overflow="true"}')).toEqual([]);
    expect(await alertNamed('CostctlCardinalityOverflow')).toEqual([]);
    expect(await alertNamed('CostctlHighCardinality')).toEqual([]);
  });

  it(`past the bound (${USERS_PAST} users), the requests counter overflows and CostctlCardinalityOverflow fires`, async () => {
    expect(await callAsNewUsers(USERS_PAST - BUDGET)).toEqual({ ok: 0, blocked: USERS_PAST - BUDGET, failed: 0 });
    // The counter kept MAX_SERIES users and counted the rest in one series, without their labels; no call went uncounted.
    expect(await values('count(costctl_requests_total{tenant=~"user-.+"})')).toEqual([MAX_SERIES]);
    expect(await values('sum(costctl_requests_total{otel_metric_overflow="true"})')).toEqual([USERS_PAST - MAX_SERIES]);
    expect(await values('sum(costctl_requests_total)')).toEqual([USERS_PAST]);

    const firing = await prometheus.waitForAlert('CostctlCardinalityOverflow', 'firing');
    expect(firing.map((alert) => ({ state: alert.state, labels: alert.labels }))).toEqual([
      { state: 'firing', labels: { alertname: 'CostctlCardinalityOverflow', severity: 'warning', job: 'costctl', instance: app.target } },
    ]);
    expect(firing[0]!.annotations.summary).toBe(`costctl metrics of costctl ${app.target} passed their series bound`);
  });

  it('its 2000 label sets are past the 1000 of CostctlHighCardinality, which is pending (it fires after 15 minutes of that)', async () => {
    expect(await labelSets('costctl_requests_total|gen_ai_client_operation_duration_count')).toEqual({
      costctl_requests_total: MAX_SERIES + 1,
      gen_ai_client_operation_duration_count: BUDGET,
    });
    const pending = await prometheus.waitForAlert('CostctlHighCardinality', 'pending');
    expect(pending.map((alert) => ({ state: alert.state, labels: alert.labels, value: Number(alert.value) }))).toEqual([
      { state: 'pending', labels: { alertname: 'CostctlHighCardinality', severity: 'warning', job: 'costctl', instance: app.target }, value: MAX_SERIES + 1 },
    ]);
  });
});
