// Shared pieces of the costctl dashboards: the datasource, the template
// variables and the PromQL selectors every panel builds on.
//
// Every metric and label name here must be one the SDK exports (top-level
// README, "Metrics"); test/dashboards.test.ts checks them against a real scrape.
import { DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, QueryVariableBuilder, ThresholdsConfigBuilder, ThresholdsMode, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';

/** Every panel and query variable reads the datasource the `datasource` variable picks. */
export const datasource = { type: 'prometheus', uid: '${datasource}' };

/**
 * The series of the services picked in `$service`: resource attributes live on
 * `target_info` only, joined on the target labels Prometheus adds to every
 * series it scrapes (`job`, `instance`). `and` (not `* on … group_left`) so
 * several services behind one target never make a many-to-many error.
 */
export const serviceFilter = 'and on (job, instance) target_info{service_name=~"$service"}';

/** Label matchers of the call metrics (cost, tokens, requests, unpriced, histograms) for the picked provider and model. */
export const callMatchers = 'gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"';

/** `metric{provider, model, extra}` followed by the service filter, for use inside an aggregation. */
export function calls(metric, extra = '') {
  return `${metric}{${callMatchers}${extra === '' ? '' : `, ${extra}`}}`;
}

/** `sum by (labels) (fn(metric{…}[range]) and on (job, instance) target_info{…})`. */
export function sumBy(labels, fn, metric, range, extra = '') {
  const by = labels.length === 0 ? '' : ` by (${labels.join(', ')})`;
  return `sum${by} (${fn}(${calls(metric, extra)}[${range}]) ${serviceFilter})`;
}

/** `max by (costctl_rule, costctl_unit) (gauge …)` for the budget gauges, copies from several instances being one budget. */
export function budget(expr) {
  return `max by (costctl_rule, costctl_unit) (${expr} ${serviceFilter})`;
}

export function query(expr, legend, refId = 'A') {
  return new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(datasource);
}

export function instantTable(expr, refId) {
  return new DataqueryBuilder().expr(expr).instant().format('table').legendFormat('__auto').refId(refId).datasource(datasource);
}

export function thresholds(steps) {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

/** The template variables both dashboards share: datasource, service, provider, model. */
export function variables() {
  const all = (builder) => builder.multi(true).includeAll(true).allValue('.*').current({ selected: true, text: ['All'], value: ['$__all'] });
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').current({ selected: true, text: 'Prometheus', value: 'prometheus' }),
    all(
      new QueryVariableBuilder('service')
        .label('Service')
        .datasource(datasource)
        .query('label_values(target_info, service_name)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    ),
    all(
      new QueryVariableBuilder('provider')
        .label('Provider')
        .datasource(datasource)
        .query('label_values(costctl_requests_total, gen_ai_provider_name)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    ),
    all(
      new QueryVariableBuilder('model')
        .label('Model')
        .datasource(datasource)
        .query('label_values(costctl_requests_total{gen_ai_provider_name=~"$provider"}, gen_ai_request_model)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    ),
  ];
}

/** A costctl dashboard: the settings every one shares (tags, last 24 h, crosshair, the variables). */
export function costctlDashboard(title, uid, description) {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['costctl', 'llm', 'cost'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-24h', to: 'now' })
    .timezone('browser')
    .refresh('1m')
    .variables(variables());
}
