// costctl breakdown: where the money goes (provider, model, operation),
// tokens by type, latency and cost per request.
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import { datasource, costctlDashboard, instantTable, query, sumBy } from './common.mjs';

const stacked = () => new StackingConfigBuilder().mode(StackingMode.Normal);

function spendBy(title, label, legend) {
  return new TimeseriesBuilder()
    .title(title)
    .description(`Spend rate in USD per hour, by ${label}.`)
    .datasource(datasource)
    .unit('currencyUSD')
    .min(0)
    .fillOpacity(20)
    .stacking(stacked())
    .height(8)
    .span(8)
    .withTarget(query(`${sumBy([label], 'rate', 'costctl_cost_usd_total', '$__rate_interval')} * 3600`, `${legend} /h`));
}

const byModel = ['gen_ai_provider_name', 'gen_ai_request_model'];
const ratePerModel = (metric, extra = '') => sumBy(byModel, 'rate', metric, '$__rate_interval', extra);

export function breakdown() {
  return costctlDashboard('costctl / Breakdown', 'costctl-breakdown', 'Spend by provider, model and operation; tokens by type; latency and cost per request.')

    .withRow(new RowBuilder('Spend'))
    .withPanel(spendBy('Spend by provider', 'gen_ai_provider_name', '{{gen_ai_provider_name}}'))
    .withPanel(spendBy('Spend by model', 'gen_ai_request_model', '{{gen_ai_request_model}}'))
    .withPanel(spendBy('Spend by operation', 'gen_ai_operation_name', '{{gen_ai_operation_name}}'))
    .withPanel(
      new TableBuilder()
        .title('Spend by provider, model and operation')
        .description('USD, tokens and requests over the dashboard time range.')
        .datasource(datasource)
        .height(9)
        .span(24)
        .withTarget(instantTable(sumBy([...byModel, 'gen_ai_operation_name'], 'increase', 'costctl_cost_usd_total', '$__range'), 'usd'))
        .withTarget(instantTable(sumBy([...byModel, 'gen_ai_operation_name'], 'increase', 'costctl_requests_total', '$__range'), 'requests'))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            renameByName: {
              gen_ai_provider_name: 'Provider',
              gen_ai_request_model: 'Model',
              gen_ai_operation_name: 'Operation',
              'Value #usd': 'Spend (USD)',
              'Value #requests': 'Requests',
            },
          },
        })
        .overrideByName('Spend (USD)', [{ id: 'unit', value: 'currencyUSD' }, { id: 'decimals', value: 4 }])
        .overrideByName('Requests', [{ id: 'decimals', value: 0 }])
        .sortBy([{ build: () => ({ displayName: 'Spend (USD)', desc: true }) }]),
    )

    .withRow(new RowBuilder('Tokens'))
    .withPanel(
      new TimeseriesBuilder()
        .title('Tokens by type')
        .description('Tokens per second by gen_ai_token_type: input (cached included), output (reasoning included), cache_read, cache_write, reasoning.')
        .datasource(datasource)
        .unit('short')
        .min(0)
        .height(8)
        .span(12)
        .withTarget(query(sumBy(['gen_ai_token_type'], 'rate', 'costctl_tokens_total', '$__rate_interval'), '{{gen_ai_token_type}}')),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Tokens by model and type')
        .description('Tokens per second by model and gen_ai_token_type.')
        .datasource(datasource)
        .unit('short')
        .min(0)
        .height(8)
        .span(12)
        .withTarget(
          query(
            sumBy([...byModel, 'gen_ai_token_type'], 'rate', 'costctl_tokens_total', '$__rate_interval'),
            '{{gen_ai_provider_name}} {{gen_ai_request_model}} {{gen_ai_token_type}}',
          ),
        ),
    )

    .withRow(new RowBuilder('Requests'))
    .withPanel(
      new TimeseriesBuilder()
        .title('Latency')
        .description('gen_ai.client.operation.duration quantiles by model: p50, p95 and p99.')
        .datasource(datasource)
        .unit('s')
        .min(0)
        .height(8)
        .span(12)
        .targets(
          [
            ['0.5', 'p50', 'A'],
            ['0.95', 'p95', 'B'],
            ['0.99', 'p99', 'C'],
          ].map(([q, name, refId]) =>
            query(
              `histogram_quantile(${q}, ${sumBy(['le', ...byModel], 'rate', 'gen_ai_client_operation_duration_bucket', '$__rate_interval')})`,
              `${name} {{gen_ai_provider_name}} {{gen_ai_request_model}}`,
              refId,
            ),
          ),
        ),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Cost per request')
        .description('Average USD per request that was not blocked, by model.')
        .datasource(datasource)
        .unit('currencyUSD')
        .decimals(5)
        .min(0)
        .height(8)
        .span(12)
        .withTarget(
          query(`${ratePerModel('costctl_cost_usd_total')} / ${ratePerModel('costctl_requests_total', 'costctl_outcome!="blocked"')}`, '{{gen_ai_provider_name}} {{gen_ai_request_model}}'),
        ),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Requests by outcome')
        .description('Requests per second by costctl_outcome: ok, error, blocked.')
        .datasource(datasource)
        .unit('reqps')
        .min(0)
        .height(8)
        .span(24)
        .withTarget(query(sumBy(['costctl_outcome'], 'rate', 'costctl_requests_total', '$__rate_interval'), '{{costctl_outcome}}')),
    )
    .build();
}
