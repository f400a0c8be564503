// costctl overview: what is being spent, against which budget, and whether
// calls are being blocked or go unpriced.
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugeBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { budget, datasource, costctlDashboard, instantTable, query, serviceFilter, sumBy, thresholds } from './common.mjs';

const LEVELS = { 0: ['ok', 'green'], 1: ['warning', 'yellow'], 2: ['critical', 'orange'], 3: ['exceeded', 'red'] };
const levelMapping = {
  type: 'value',
  options: Object.fromEntries(Object.entries(LEVELS).map(([value, [text, color]], index) => [value, { text, color, index }])),
};
const HOUR = 3600;
/** How far back the burn of a rule is measured: recent enough to be "now", long enough to span several scrapes. */
const BURN_LOOKBACK = '15m';
/**
 * A rule's burn, in its unit per second: the slope of its spend over the look-back.
 * deriv, not rate: spend falls when a rolling window lets old calls go, and rate would read that fall as a counter reset.
 */
const burnPerSecond = `max by (costctl_rule, costctl_unit) (deriv(costctl_budget_spent[${BURN_LOOKBACK}]) ${serviceFilter})`;
const exhausted = `max by (costctl_rule) (costctl_budget_level ${serviceFilter}) == 3`;
/**
 * Seconds until each rule reaches its limit at its burn; 0 once it has (or refuses calls), -1 while its spend is not
 * growing. Every rule gets one row, and a division by a zero burn never shows as a huge number.
 */
const secondsToLimit = [
  `(${budget('costctl_budget_spent')} * 0 and on (costctl_rule) ${exhausted})`,
  `clamp_min((${budget('costctl_budget_limit')} - ${budget('costctl_budget_spent')}) / (${burnPerSecond} > 0), 0)`,
  `(${budget('costctl_budget_spent')} * 0 - 1)`,
].join(' or ');
const timeToLimitMapping = {
  type: 'value',
  options: { '-1': { text: 'no burn', color: 'green', index: 0 }, 0: { text: 'reached', color: 'red', index: 1 } },
};
const lastValue = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

/** A stat of the USD spent over the panel's time range. */
function spendStat(title, description) {
  return new StatBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .unit('currencyUSD')
    .decimals(2)
    .reduceOptions(lastValue())
    .height(5)
    .span(6)
    .withTarget(query(sumBy([], 'increase', 'costctl_cost_usd_total', '$__range'), 'spend').instant());
}

export function overview() {
  const builder = costctlDashboard('costctl / Overview', 'costctl-overview', 'Spend, budgets, the emergency gate, blocked and unpriced calls of apps instrumented with costctl.')

    .withRow(new RowBuilder('Now'))
    .withPanel(spendStat('Spend today', 'USD spent since midnight (dashboard time zone), from costctl_cost_usd_total.').timeFrom('now/d'))
    .withPanel(spendStat('Spend in time range', 'USD spent over the dashboard time range.'))
    .withPanel(
      new StatBuilder()
        .title('Gate state')
        .description('The emergency gate: while tripped, every paid call is blocked until `costctl gate reset`.')
        .datasource(datasource)
        .mappings([
          { type: 'value', options: { 0: { text: 'open', color: 'green', index: 0 }, 1: { text: 'TRIPPED', color: 'red', index: 1 } } },
          { type: 'special', options: { match: 'null', result: { text: 'no data', color: 'text', index: 2 } } },
        ])
        .thresholds(thresholds([{ value: null, color: 'green' }, { value: 1, color: 'red' }]))
        .reduceOptions(lastValue())
        .height(5)
        .span(4)
        .withTarget(query(`max(costctl_gate_tripped ${serviceFilter})`, 'gate').instant()),
    )
    .withPanel(
      new StatBuilder()
        .title('Blocked calls')
        .description('Calls costctl blocked (a budget or the gate) over the time range.')
        .datasource(datasource)
        .unit('short')
        .decimals(0)
        .thresholds(thresholds([{ value: null, color: 'green' }, { value: 1, color: 'red' }]))
        .reduceOptions(lastValue())
        .height(5)
        .span(4)
        .withTarget(query(sumBy([], 'increase', 'costctl_requests_total', '$__range', 'costctl_outcome="blocked"'), 'blocked').instant()),
    )
    .withPanel(
      new StatBuilder()
        .title('Unpriced calls')
        .description('Calls costctl saw but could not price over the time range: they count toward no USD budget.')
        .datasource(datasource)
        .unit('short')
        .decimals(0)
        .thresholds(thresholds([{ value: null, color: 'green' }, { value: 1, color: 'orange' }]))
        .reduceOptions(lastValue())
        .height(5)
        .span(4)
        .withTarget(query(sumBy([], 'increase', 'costctl_unpriced_requests_total', '$__range'), 'unpriced').instant()),
    )

    .withRow(new RowBuilder('Budgets'))
    .withPanel(
      new GaugeBuilder()
        .title('Budget used per rule')
        .description('costctl_budget_spent / costctl_budget_limit for each budget rule in its current window.')
        .datasource(datasource)
        .unit('percentunit')
        .min(0)
        .max(1)
        .thresholds(thresholds([{ value: null, color: 'green' }, { value: 0.7, color: 'yellow' }, { value: 0.9, color: 'orange' }, { value: 1, color: 'red' }]))
        .reduceOptions(lastValue())
        .height(8)
        .span(8)
        .withTarget(query(`${budget('costctl_budget_spent')} / ${budget('costctl_budget_limit')}`, '{{costctl_rule}} ({{costctl_unit}})').instant()),
    )
    .withPanel(
      new StatBuilder()
        .title('Prepaid credits left')
        .description('Prepaid balance left with each provider (config `credits`), in USD: its spend since the balance was bought, taken from the balance. Calls to it are blocked at zero.')
        .datasource(datasource)
        .unit('currencyUSD')
        .decimals(2)
        .thresholds(thresholds([{ value: null, color: 'red' }, { value: 1, color: 'orange' }, { value: 10, color: 'green' }]))
        .reduceOptions(lastValue())
        .height(8)
        .span(5)
        .withTarget(query(`min by (gen_ai_provider_name) (costctl_credits_remaining{gen_ai_provider_name=~"$provider"} ${serviceFilter})`, '{{gen_ai_provider_name}}').instant()),
    )
    .withPanel(
      new TableBuilder()
        .title('Budget spent vs limit')
        .description('Each budget rule: spent and limit in its unit, and its level (0 ok, 1 warning, 2 critical, 3 exceeded: at the limit, or refusing calls that would pass it).')
        .datasource(datasource)
        .height(8)
        .span(11)
        .withTarget(instantTable(budget('costctl_budget_spent'), 'spent'))
        .withTarget(instantTable(budget('costctl_budget_limit'), 'limit'))
        .withTarget(instantTable(`max by (costctl_rule) (costctl_budget_level ${serviceFilter})`, 'level'))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            indexByName: { costctl_rule: 0, costctl_unit: 1, 'Value #spent': 2, 'Value #limit': 3, 'Value #level': 4 },
            renameByName: { costctl_rule: 'Rule', costctl_unit: 'Unit', 'Value #spent': 'Spent', 'Value #limit': 'Limit', 'Value #level': 'Level' },
          },
        })
        .overrideByName('Level', [
          { id: 'mappings', value: [levelMapping] },
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
        ]),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Burn rate')
        .description('Spend rate in USD per hour, by provider and model.')
        .datasource(datasource)
        .unit('currencyUSD')
        .min(0)
        .fillOpacity(10)
        .height(8)
        .span(12)
        .withTarget(
          query(`${sumBy(['gen_ai_provider_name', 'gen_ai_request_model'], 'rate', 'costctl_cost_usd_total', '$__rate_interval')} * 3600`, '{{gen_ai_provider_name}} {{gen_ai_request_model}} /h'),
        ),
    )
    .withPanel(
      new TableBuilder()
        .title('Time to limit')
        .description(
          `Each budget rule at its current burn (how fast its spend grew over the last ${BURN_LOOKBACK}): what is left of its limit, the burn per hour, and how long until the limit at that pace. "reached": at the limit, or refusing calls that would pass it; "no burn": spend is not growing. A day or month window may start again before then.`,
        )
        .datasource(datasource)
        .height(8)
        .span(12)
        .withTarget(instantTable(`clamp_min(${budget('costctl_budget_limit')} - ${budget('costctl_budget_spent')}, 0)`, 'left'))
        .withTarget(instantTable(`clamp_min(${burnPerSecond}, 0) * 3600`, 'burn'))
        .withTarget(instantTable(secondsToLimit, 'time'))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            indexByName: { costctl_rule: 0, costctl_unit: 1, 'Value #left': 2, 'Value #burn': 3, 'Value #time': 4 },
            renameByName: { costctl_rule: 'Rule', costctl_unit: 'Unit', 'Value #left': 'Left', 'Value #burn': 'Burn per hour', 'Value #time': 'Limit reached in' },
          },
        })
        .overrideByName('Left', [{ id: 'unit', value: 'short' }])
        .overrideByName('Burn per hour', [{ id: 'unit', value: 'short' }])
        .overrideByName('Limit reached in', [
          { id: 'unit', value: 'dtdurations' },
          // Two units of a duration: "2 hours, 14 minutes".
          { id: 'decimals', value: 1 },
          { id: 'mappings', value: [timeToLimitMapping] },
          { id: 'color', value: { mode: 'thresholds' } },
          { id: 'thresholds', value: { mode: 'absolute', steps: [{ value: null, color: 'red' }, { value: HOUR, color: 'orange' }, { value: 4 * HOUR, color: 'green' }] } },
          { id: 'custom.cellOptions', value: { type: 'color-text' } },
        ]),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Budget level')
        .description('0 ok, 1 warning, 2 critical, 3 exceeded: spend at the limit, or the rule refusing calls that would pass it (block mode).')
        .datasource(datasource)
        .min(0)
        .max(3)
        .decimals(0)
        .mappings([levelMapping])
        .height(8)
        .span(12)
        .withTarget(query(`max by (costctl_rule) (costctl_budget_level ${serviceFilter})`, '{{costctl_rule}}')),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Gate tripped')
        .description('1 while the emergency gate is tripped.')
        .datasource(datasource)
        .min(0)
        .max(1)
        .decimals(0)
        .height(8)
        .span(12)
        .withTarget(query(`max(costctl_gate_tripped ${serviceFilter})`, 'tripped')),
    )

    .withRow(new RowBuilder('Blocked and unpriced calls'))
    .withPanel(
      new TimeseriesBuilder()
        .title('Blocked calls by rule, provider and model')
        .description('Calls blocked per interval, by the rule that refused them (or gate), provider and model.')
        .datasource(datasource)
        .unit('short')
        .min(0)
        .height(8)
        .span(12)
        .withTarget(
          query(
            sumBy(['costctl_rule', 'gen_ai_provider_name', 'gen_ai_request_model'], 'increase', 'costctl_requests_total', '$__rate_interval', 'costctl_outcome="blocked"'),
            '{{costctl_rule}}: {{gen_ai_provider_name}} {{gen_ai_request_model}}',
          ),
        ),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Unpriced calls by reason')
        .description('Calls costctl could not price, per interval, by reason (unknown_model, no_model, body_unobservable, internal_error).')
        .datasource(datasource)
        .unit('short')
        .min(0)
        .height(8)
        .span(12)
        .withTarget(
          query(
            sumBy(['costctl_reason', 'gen_ai_provider_name', 'gen_ai_request_model'], 'increase', 'costctl_unpriced_requests_total', '$__rate_interval'),
            '{{costctl_reason}}: {{gen_ai_provider_name}} {{gen_ai_request_model}}',
          ),
        ),
    );
  return builder.build();
}
