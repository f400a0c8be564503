// The PromQL a Grafana panel sends to Prometheus, read from a built dashboard
// (grafana/dashboards/*.json) and interpolated the way Grafana's Prometheus
// datasource does: template variables, $__rate_interval, $__interval,
// $__range, and a panel's relative time override (`timeFrom`).
//
// test/dashboard-queries.test.ts runs every query through a real Prometheus;
// scripts/render-dashboard.mjs draws the overview from the same queries.

const NICE_SECONDS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * Escapes a picked value as Grafana does inside a regex matcher: regex syntax
 * gets a backslash, written doubled because the matcher is a PromQL string.
 */
function escapeRegex(value) {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/**
 * The value Grafana puts in place of a template variable inside a PromQL
 * regex matcher: `allValue` for "All" (undefined here), the escaped value for
 * one, `(a|b)` for several.
 */
function variableValue(variable, picked) {
  if (picked === undefined) {
    if (!variable.includeAll) throw new Error(`variable $${variable.name} has no "All" option: pick a value`);
    return variable.allValue ?? '.*';
  }
  const values = Array.isArray(picked) ? picked : [picked];
  return values.length === 1 ? escapeRegex(values[0]) : `(${values.map(escapeRegex).join('|')})`;
}

/** Grafana's duration text for `seconds`: whole seconds, as `$__range` is written. */
const duration = (seconds) => `${Math.max(1, Math.round(seconds))}s`;

/**
 * A panel's time range: the dashboard's `[from, to]` (seconds), or its relative
 * override. `now/d` starts at midnight in the dashboard's time zone, given as
 * minutes east of UTC (the browser's, for the `browser` time zone).
 */
function panelRange(panel, from, to, utcOffsetMinutes) {
  const override = panel.timeFrom;
  if (override === undefined) return { from, to };
  if (override === 'now/d') {
    const local = to + utcOffsetMinutes * 60;
    return { from: local - (local % 86400) - utcOffsetMinutes * 60, to };
  }
  const relative = /^now-(\d+)([smhd])$/.exec(override);
  if (relative) return { from: to - Number(relative[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[relative[2]], to };
  throw new Error(`panel "${panel.title}": time override ${override} is not one this reader knows`);
}

/**
 * Replaces Grafana's variables in `expr`: `$name` / `${name}` from `values`
 * (the picked value, a list of them, or undefined for "All") and the
 * built-in interval and range variables.
 */
export function interpolate(expr, { dashboard, values = {}, builtins }) {
  const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
  return expr.replace(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g, (text, braced, bare) => {
    const name = braced ?? bare;
    if (name in builtins) return builtins[name];
    const variable = variables.get(name);
    if (variable === undefined) throw new Error(`${text} in ${expr} is neither a dashboard variable nor a built-in this reader knows`);
    return variableValue(variable, values[name]);
  });
}

/** Every panel of a dashboard, those inside collapsed rows included, in order. */
export function allPanels(dashboard) {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/**
 * @typedef {object} PanelQuery
 * @property {{ title: string }} panel the panel, as in the JSON
 * @property {string} refId
 * @property {string} expr the query as written in the dashboard
 * @property {string} query the query Grafana sends, interpolated
 * @property {boolean} instant an instant query at `to` (stat, gauge, table) rather than a range query
 * @property {number} from seconds
 * @property {number} to seconds
 * @property {number} step range queries' resolution, seconds ($__interval)
 * @property {string | undefined} legendFormat
 */

/**
 * Every query of every panel of `dashboard`, as Grafana would send it for the
 * time range `[from, to]` (seconds since the epoch).
 *
 * Grafana's $__interval is the time range over the panel's data points
 * (`maxDataPoints`, about its width in pixels), rounded to a round duration and
 * never below the datasource's scrape interval; $__rate_interval is
 * max($__interval + scrape interval, 4 × scrape interval), the shortest range
 * that holds enough samples for rate().
 *
 * @param {object} dashboard a built dashboard (JSON.parse of grafana/dashboards/*.json)
 * @param {{ from: number, to: number, scrapeIntervalSeconds: number, values?: Record<string, string | string[] | undefined>, maxDataPoints?: number, utcOffsetMinutes?: number }} options
 * @returns {PanelQuery[]}
 */
export function panelQueries(dashboard, { from, to, scrapeIntervalSeconds, values = {}, maxDataPoints = 1000, utcOffsetMinutes = 0 }) {
  const queries = [];
  for (const panel of allPanels(dashboard)) {
    if (panel.type === 'row') continue;
    const range = panelRange(panel, from, to, utcOffsetMinutes);
    const raw = (range.to - range.from) / maxDataPoints;
    const interval = Math.max(scrapeIntervalSeconds, NICE_SECONDS.find((nice) => nice >= raw) ?? raw);
    const rangeSeconds = range.to - range.from;
    const builtins = {
      __interval: duration(interval),
      __interval_ms: String(interval * 1000),
      __rate_interval: duration(Math.max(interval + scrapeIntervalSeconds, 4 * scrapeIntervalSeconds)),
      __range: duration(rangeSeconds),
      __range_s: String(Math.round(rangeSeconds)),
      __range_ms: String(Math.round(rangeSeconds * 1000)),
    };
    for (const target of panel.targets ?? []) {
      queries.push({
        panel,
        refId: target.refId,
        expr: target.expr,
        query: interpolate(target.expr, { dashboard, values, builtins }),
        instant: target.instant === true,
        from: range.from,
        to: range.to,
        step: interval,
        legendFormat: target.legendFormat,
      });
    }
  }
  return queries;
}

/**
 * The dashboard's query variables as Prometheus label-values lookups:
 * `label_values(selector, label)` becomes the label and the interpolated
 * selector (the series whose values fill the variable's drop-down).
 *
 * @param {any} dashboard a built dashboard (JSON.parse of grafana/dashboards/*.json)
 * @param {Record<string, string | string[] | undefined>} [values]
 * @returns {{ name: string, label: string, match: string }[]}
 */
export function variableLookups(dashboard, values = {}) {
  return dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const text = typeof variable.query === 'string' ? variable.query : variable.query.query;
      const lookup = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
      if (!lookup) throw new Error(`variable $${variable.name}: ${text} is not label_values(selector, label)`);
      return { name: variable.name, label: lookup[2], match: interpolate(lookup[1], { dashboard, values, builtins: {} }) };
    });
}

/** Grafana's legend for a series: `{{label}}` replaced by its value, `__auto` (or none) by the series' labels. */
export function legend(format, metric) {
  if (format === undefined || format === '' || format === '__auto') {
    const labels = Object.entries(metric).filter(([name]) => name !== '__name__');
    return labels.length === 0 ? 'Value' : `{${labels.map(([name, value]) => `${name}="${value}"`).join(', ')}}`;
  }
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => metric[name] ?? '');
}
