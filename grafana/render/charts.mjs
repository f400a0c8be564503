// SVG drawings of Grafana's time series and gauge panels, for
// scripts/render-dashboard.mjs: lines on a time axis with the panel's unit,
// min/max, fill opacity and threshold lines; arc gauges coloured by threshold.
import { formatValue, ticks } from './units.mjs';

/** Grafana's classic palette, in the order it gives series their colours. */
export const PALETTE = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#705DA0', '#37872D', '#FADE2A', '#447EBC', '#C15C17'];

/** Grafana's named colours as the dark theme draws them. */
const NAMED = { green: '#73BF69', red: '#F2495C', yellow: '#FADE2A', orange: '#FF9830', blue: '#5794F2', purple: '#B877D9', text: '#CCCCDC' };
export const color = (name) => NAMED[name] ?? name;

export const escapeXml = (text) => String(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The threshold step `value` falls in: the last one whose value is at most `value` (the first has none). */
export function thresholdColor(steps, value) {
  let found = steps[0]?.color ?? 'green';
  for (const step of steps) if (step.value === null || value >= step.value) found = step.color;
  return color(found);
}

/** Decimals for axis labels, from the distance between two ticks. */
function axisDecimals(step, unit) {
  const scaled = unit === 'percentunit' ? step * 100 : step;
  return Math.max(0, -Math.floor(Math.log10(scaled) + 1e-9));
}

/** HH:MM:SS in UTC, as the page's time picker says. */
const clock = (seconds) => new Date(seconds * 1000).toISOString().slice(11, 19);

/**
 * A time series panel's plot and legend, `width` × `height` pixels.
 *
 * @param {{ name: string, points: [number, number][] }[]} series points are [seconds, value]; NaN breaks the line
 * @param {{ from: number, to: number, unit?: string, decimals?: number, min?: number, max?: number, fillOpacity?: number, thresholdLines?: { value: number, color: string }[], mapText?: (value: number) => string | undefined }} options
 *   mapText: a value mapping's text for an axis tick, as Grafana's axes show it
 */
export function timeSeriesSvg(series, { width, height, from, to, unit, decimals, min, max, fillOpacity = 0, thresholdLines = [], mapText = () => undefined }) {
  const legendRows = legendLayout(series, width).rows;
  const legendHeight = series.length === 0 ? 0 : legendRows * 18 + 6;
  const values = series.flatMap(({ points }) => points.map(([, value]) => value)).filter(Number.isFinite);
  if (values.length === 0) return `<div class="no-data" style="height:${height}px">No data</div>`;
  let low = min ?? Math.min(0, ...values);
  let high = max ?? Math.max(...values, ...thresholdLines.map((line) => line.value));
  if (high <= low) high = low + 1;
  // Ticks no finer than the panel's decimals allow (0 decimals: whole numbers).
  const yTicks = ticks(low, high, Math.max(2, Math.floor((height - legendHeight) / 40)), decimals === undefined ? 0 : 10 ** -decimals);
  if (max === undefined) high = Math.max(high, yTicks.at(-1) ?? high);
  if (min === undefined) low = Math.min(low, yTicks[0] ?? low);
  const tickDecimals = decimals ?? (yTicks.length > 1 ? axisDecimals(yTicks[1] - yTicks[0], unit) : undefined);
  const labels = yTicks.map((tick) => mapText(tick) ?? formatValue(tick, unit, tickDecimals));
  const left = 12 + Math.max(...labels.map((label) => label.length)) * 6.6;
  const top = 6;
  const plotWidth = width - left - 10;
  const plotHeight = height - legendHeight - top - 22;
  const x = (time) => left + ((time - from) / (to - from)) * plotWidth;
  const y = (value) => top + plotHeight - ((Math.min(Math.max(value, low), high) - low) / (high - low)) * plotHeight;

  const parts = [];
  yTicks.forEach((tick, index) => {
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" class="axis">${escapeXml(labels[index])}</text>`);
  });
  for (const tick of ticks(from, to, Math.max(2, Math.floor(plotWidth / 110)))) {
    parts.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="${top}" y2="${top + plotHeight}" class="grid"/>`);
    parts.push(`<text x="${x(tick)}" y="${top + plotHeight + 16}" text-anchor="middle" class="axis">${clock(tick)}</text>`);
  }
  for (const line of thresholdLines) {
    if (line.value >= low && line.value <= high) parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y(line.value)}" y2="${y(line.value)}" stroke="${color(line.color)}" stroke-width="1" stroke-dasharray="6 4"/>`);
  }
  series.forEach(({ points }, index) => {
    const stroke = PALETTE[index % PALETTE.length];
    for (const run of unbroken(points)) {
      const path = run.map(([time, value], at) => `${at === 0 ? 'M' : 'L'}${x(time).toFixed(1)},${y(value).toFixed(1)}`).join('');
      if (fillOpacity > 0 && run.length > 1) {
        const base = y(Math.max(low, 0));
        parts.push(`<path d="${path}L${x(run.at(-1)[0]).toFixed(1)},${base}L${x(run[0][0]).toFixed(1)},${base}Z" fill="${stroke}" fill-opacity="${fillOpacity / 100}" stroke="none"/>`);
      }
      parts.push(run.length === 1 ? `<circle cx="${x(run[0][0])}" cy="${y(run[0][1])}" r="2" fill="${stroke}"/>` : `<path d="${path}" fill="none" stroke="${stroke}" stroke-width="1.5"/>`);
    }
  });
  const plot = `<svg width="${width}" height="${height - legendHeight}" class="plot">${parts.join('')}</svg>`;
  return `${plot}${legendHtml(series)}`;
}

/** The runs of finite values in `points`, split where a value is missing or NaN (Grafana leaves a gap). */
function unbroken(points) {
  const runs = [];
  let run = [];
  let previous;
  const gap = points.length > 1 ? Math.min(...points.slice(1).map(([time], index) => time - points[index][0])) * 1.5 : Infinity;
  for (const [time, value] of points) {
    if (!Number.isFinite(value) || (previous !== undefined && time - previous > gap)) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    if (Number.isFinite(value)) run.push([time, value]);
    previous = time;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function legendLayout(series, width) {
  let rows = 1;
  let used = 0;
  for (const { name } of series) {
    const itemWidth = 24 + name.length * 6.8;
    if (used + itemWidth > width - 8 && used > 0) {
      rows += 1;
      used = 0;
    }
    used += itemWidth;
  }
  return { rows };
}

function legendHtml(series) {
  const items = series.map(({ name }, index) => `<span class="legend-item"><i style="background:${PALETTE[index % PALETTE.length]}"></i>${escapeXml(name)}</span>`);
  return `<div class="legend">${items.join('')}</div>`;
}

/**
 * One arc gauge: a 240° track, the value's arc in its threshold colour, the
 * thresholds as a thin outer band, the value in the middle and its name below.
 */
export function gaugeSvg({ name, value, width, height, min = 0, max = 1, unit, decimals, steps }) {
  const size = Math.min(width, height - 22);
  const cx = width / 2;
  const cy = size / 2 + 8;
  const radius = size / 2 - 10;
  const startAngle = -210;
  const sweep = 240;
  const angleOf = (fraction) => startAngle + sweep * Math.min(Math.max(fraction, 0), 1);
  const point = (angle, r) => [cx + r * Math.cos((angle * Math.PI) / 180), cy + r * Math.sin((angle * Math.PI) / 180)];
  const arc = (from, to, r) => {
    const [x1, y1] = point(from, r);
    const [x2, y2] = point(to, r);
    return `M${x1.toFixed(1)},${y1.toFixed(1)}A${r},${r} 0 ${to - from > 180 ? 1 : 0} 1 ${x2.toFixed(1)},${y2.toFixed(1)}`;
  };
  const fraction = (value - min) / (max - min);
  const band = [];
  steps.forEach((step, index) => {
    const start = step.value === null ? min : step.value;
    const end = steps[index + 1]?.value ?? max;
    if (end > start) band.push(`<path d="${arc(angleOf((start - min) / (max - min)), angleOf((end - min) / (max - min)), radius)}" stroke="${color(step.color)}" stroke-width="4" fill="none"/>`);
  });
  const valueColor = thresholdColor(steps, value);
  const track = `<path d="${arc(angleOf(0), angleOf(1), radius - 12)}" stroke="#2c3235" stroke-width="${radius * 0.28}" fill="none"/>`;
  const filled = fraction > 0 ? `<path d="${arc(angleOf(0), angleOf(fraction), radius - 12)}" stroke="${valueColor}" stroke-width="${radius * 0.28}" fill="none"/>` : '';
  const text = `<text x="${cx}" y="${cy + radius * 0.18}" text-anchor="middle" fill="${valueColor}" font-size="${Math.round(radius * 0.42)}" font-weight="500">${escapeXml(formatValue(value, unit, decimals))}</text>`;
  const label = `<text x="${cx}" y="${height - 6}" text-anchor="middle" class="gauge-name">${escapeXml(name)}</text>`;
  return `<svg width="${width}" height="${height}">${band.join('')}${track}${filled}${text}${label}</svg>`;
}
