// A static HTML page drawn from a built Grafana dashboard and the results of
// its queries, for scripts/render-dashboard.mjs: Grafana's dark theme, its
// 24-column grid (gridPos), rows, and the stat, gauge, table and time series
// panels with their units, decimals, thresholds and value mappings. It is a
// faithful drawing of what the dashboard JSON asks for, not Grafana itself.
import { legend } from '../panel-queries.mjs';
import { color, escapeXml, gaugeSvg, thresholdColor, timeSeriesSvg } from './charts.mjs';
import { formatValue } from './units.mjs';

const CELL_HEIGHT = 30;
const MARGIN = 8;
const DEFAULT_STEPS = [
  { value: null, color: 'green' },
  { value: 80, color: 'red' },
];

/** The text and colour a value mapping gives `value`, if one does. */
function mapped(mappings = [], value) {
  for (const mapping of mappings) {
    if (mapping.type === 'value' && value !== undefined && mapping.options[String(value)]) return mapping.options[String(value)];
    if (mapping.type === 'special' && mapping.options.match === 'null' && (value === undefined || Number.isNaN(value))) return mapping.options.result;
  }
  return undefined;
}

/** The last value of each series a target returned (Grafana's lastNotNull reduction of an instant query). */
function lastValues(results) {
  return results.flatMap((result) =>
    result.series.map((series) => ({ name: legend(result.legendFormat, series.metric), metric: series.metric, value: Number(series.values.at(-1)?.[1]) })),
  );
}

function statBody(panel, results, width, height) {
  const defaults = panel.fieldConfig?.defaults ?? {};
  const steps = defaults.thresholds?.steps ?? DEFAULT_STEPS;
  const values = lastValues(results);
  const shown = values.length > 0 ? values : [{ value: undefined }];
  const size = Math.min(height * 0.5, (width / shown.length) * 0.22);
  return shown
    .map(({ value }) => {
      const mapping = mapped(defaults.mappings, value);
      const text = mapping?.text ?? (value === undefined ? 'No data' : formatValue(value, defaults.unit, defaults.decimals));
      const fill = mapping?.color ? color(mapping.color) : value === undefined ? color('text') : thresholdColor(steps, value);
      return `<div class="stat-value" style="color:${fill};font-size:${Math.round(size)}px">${escapeXml(text)}</div>`;
    })
    .join('');
}

function gaugeBody(panel, results, width, height) {
  const defaults = panel.fieldConfig?.defaults ?? {};
  const values = lastValues(results);
  if (values.length === 0) return `<div class="no-data" style="height:${height}px">No data</div>`;
  const each = Math.floor(width / values.length);
  const gauges = values.map(({ name, value }) =>
    gaugeSvg({ name, value, width: each, height, min: defaults.min, max: defaults.max, unit: defaults.unit, decimals: defaults.decimals, steps: defaults.thresholds?.steps ?? DEFAULT_STEPS }),
  );
  return `<div class="gauges">${gauges.join('')}</div>`;
}

/** Grafana's `merge` then `organize` transformations over instant table queries: one row per label set, a `Value #refId` column per query. */
function tableRows(panel, results) {
  const rows = [];
  for (const result of results) {
    for (const series of result.series) {
      const labels = Object.fromEntries(Object.entries(series.metric).filter(([name]) => name !== '__name__'));
      const matches = rows.filter((row) => Object.entries(labels).every(([name, value]) => row[name] === value));
      const value = Number(series.values.at(-1)?.[1]);
      if (matches.length === 0) rows.push({ ...labels, [`Value #${result.refId}`]: value });
      for (const row of matches) row[`Value #${result.refId}`] = value;
    }
  }
  const organize = panel.transformations?.find((transformation) => transformation.id === 'organize')?.options ?? {};
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
    .filter((name) => !organize.excludeByName?.[name])
    .sort((a, b) => (organize.indexByName?.[a] ?? 99) - (organize.indexByName?.[b] ?? 99));
  return { columns: columns.map((name) => ({ key: name, title: organize.renameByName?.[name] ?? name })), rows };
}

function tableBody(panel, results, height) {
  const { columns, rows } = tableRows(panel, results);
  if (rows.length === 0) return `<div class="no-data" style="height:${height}px">No data</div>`;
  const override = (title, id) => panel.fieldConfig?.overrides?.find((o) => o.matcher.id === 'byName' && o.matcher.options === title)?.properties.find((p) => p.id === id)?.value;
  const head = columns.map(({ title }) => `<th>${escapeXml(title)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = columns.map(({ key, title }) => {
        const value = row[key];
        if (typeof value !== 'number') return `<td>${escapeXml(value ?? '')}</td>`;
        const mapping = mapped(override(title, 'mappings'), value);
        const cellType = override(title, 'custom.cellOptions')?.type;
        // A mapped value takes its mapping's colour; any other, its threshold step's.
        const fill = mapping?.color ? color(mapping.color) : override(title, 'thresholds') ? thresholdColor(override(title, 'thresholds').steps, value) : undefined;
        const style =
          cellType === 'color-background' && mapping?.color ? ` style="background:${fill};color:#111217"` : cellType === 'color-text' && fill !== undefined ? ` style="color:${fill}"` : '';
        return `<td class="number"${style}>${escapeXml(mapping?.text ?? formatValue(value, override(title, 'unit'), override(title, 'decimals')))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function timeSeriesBody(panel, results, width, height, range) {
  const defaults = panel.fieldConfig?.defaults ?? {};
  const series = results.flatMap((result) =>
    result.series.map((one) => ({ name: legend(result.legendFormat, one.metric), points: one.values.map(([time, value]) => [Number(time), Number(value)]) })),
  );
  const steps = defaults.thresholds?.steps ?? [];
  const thresholdLines = defaults.custom?.thresholdsStyle?.mode === 'line' ? steps.filter((step) => step.value !== null) : [];
  const mapText = (value) => mapped(defaults.mappings, value)?.text;
  return timeSeriesSvg(series, { width, height, ...range, unit: defaults.unit, decimals: defaults.decimals, min: defaults.min, max: defaults.max, fillOpacity: defaults.custom?.fillOpacity, thresholdLines, mapText });
}

function panelHtml(panel, results, box, range) {
  const style = `left:${box.left}px;top:${box.top}px;width:${box.width}px;height:${box.height}px`;
  if (panel.type === 'row') return `<div class="row" style="${style}"><span class="chevron">⌄</span>${escapeXml(panel.title)}</div>`;
  const width = box.width - 2 * MARGIN;
  const height = box.height - 32 - MARGIN;
  const body =
    panel.type === 'stat'
      ? statBody(panel, results, width, height)
      : panel.type === 'gauge'
        ? gaugeBody(panel, results, width, height)
        : panel.type === 'table'
          ? tableBody(panel, results, height)
          : timeSeriesBody(panel, results, width, height, range);
  const timeShift = panel.timeFrom ? `<span class="time-override">${panel.timeFrom === 'now/d' ? 'Today so far' : `Last ${panel.timeFrom.slice(4)}`}</span>` : '';
  return `<section class="panel ${panel.type}" style="${style}"><header>${escapeXml(panel.title)}${timeShift}</header><div class="body" style="height:${height}px">${body}</div></section>`;
}

const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; background: #111217; color: #ccccdc; font-family: Inter, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; font-size: 12px; }
.topbar { display: flex; align-items: center; gap: 8px; height: 40px; padding: 0 16px; background: #181b1f; border-bottom: 1px solid #2c3235; font-size: 14px; }
.topbar .crumb { color: #9fa7b3; } .topbar .current { color: #ccccdc; font-weight: 500; }
.topbar .note { margin-left: auto; color: #8e8e9e; font-size: 12px; }
.controls { display: flex; align-items: center; gap: 8px; padding: 10px 16px; }
.variable { display: inline-flex; border: 1px solid #2c3235; border-radius: 2px; height: 32px; align-items: stretch; }
.variable b { font-weight: 500; background: #22252b; padding: 0 10px; display: flex; align-items: center; border-right: 1px solid #2c3235; color: #6e9fff; }
.variable span { padding: 0 10px; display: flex; align-items: center; min-width: 60px; }
.timepicker { margin-left: auto; }
.grid { position: relative; margin: 0 16px 16px; }
.panel { position: absolute; background: #181b1f; border: 1px solid #2a2d33; border-radius: 2px; overflow: hidden; }
.panel header { height: 32px; padding: 0 8px; display: flex; align-items: center; font-size: 14px; font-weight: 500; color: #ccccdc; }
.time-override { margin-left: auto; color: #6e9fff; font-size: 12px; font-weight: 400; }
.panel .body { padding: 0 8px; position: relative; }
.row { position: absolute; display: flex; align-items: center; font-size: 16px; font-weight: 500; color: #ccccdc; }
.row .chevron { margin-right: 6px; color: #9fa7b3; }
.stat-value { display: flex; height: 100%; align-items: center; justify-content: center; font-weight: 500; letter-spacing: -0.02em; }
.gauges { display: flex; justify-content: space-around; }
.gauge-name { fill: #ccccdc; font-size: 12px; }
.no-data { display: flex; align-items: center; justify-content: center; color: #8e8e9e; font-size: 14px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-weight: 500; color: #6e9fff; padding: 6px 8px; border-bottom: 1px solid #2c3235; }
td { padding: 6px 8px; border-bottom: 1px solid #22252b; }
td.number { text-align: right; } th:nth-child(n+3) { text-align: right; }
svg text.axis { fill: #9fa7b3; font-size: 11px; }
svg line.grid { stroke: #2c3235; stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; padding-top: 4px; font-size: 12px; }
.legend-item { display: inline-flex; align-items: center; white-space: nowrap; }
.legend-item i { display: inline-block; width: 14px; height: 4px; border-radius: 2px; margin-right: 6px; }
`;

/**
 * The dashboard as a standalone HTML page, `width` pixels wide.
 *
 * @param {object} dashboard a built dashboard (grafana/dashboards/*.json)
 * @param {Map<number, { refId: string, legendFormat?: string, series: { metric: Record<string, string>, values: [number, string][] }[] }[]>} resultsByPanel each panel's query results, by panel id
 * @param {{ from: number, to: number, width?: number, note?: string }} options the time range (seconds) and a note for the top bar
 */
export function dashboardHtml(dashboard, resultsByPanel, { from, to, width = 1600, note = '' }) {
  const gridWidth = width - 32;
  const column = (gridWidth - 23 * MARGIN) / 24;
  let bottom = 0;
  const panels = dashboard.panels.map((panel) => {
    const { x, y, w, h } = panel.gridPos;
    const box = { left: x * (column + MARGIN), top: y * (CELL_HEIGHT + MARGIN), width: w * column + (w - 1) * MARGIN, height: h * CELL_HEIGHT + (h - 1) * MARGIN };
    bottom = Math.max(bottom, box.top + box.height);
    return panelHtml(panel, resultsByPanel.get(panel.id) ?? [], box, { from, to });
  });
  const variables = dashboard.templating.list
    .map((variable) => `<span class="variable"><b>${escapeXml(variable.label ?? variable.name)}</b><span>${escapeXml(variable.type === 'datasource' ? variable.current.text : 'All')}</span></span>`)
    .join('');
  const stamp = (seconds) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
  const picker = `<span class="variable timepicker"><span>${stamp(from)} to ${stamp(to)} UTC</span></span><span class="variable"><span>⟳ ${escapeXml(dashboard.refresh ?? '')}</span></span>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeXml(dashboard.title)}</title><style>${STYLE}</style></head><body style="width:${width}px">
<div class="topbar"><span class="crumb">Home ›</span><span class="crumb">Dashboards ›</span><span class="crumb">costctl ›</span><span class="current">${escapeXml(dashboard.title)}</span><span class="note">${escapeXml(note)}</span></div>
<div class="controls">${variables}${picker}</div>
<div class="grid" style="height:${bottom}px">${panels.join('\n')}</div>
</body></html>`;
}
