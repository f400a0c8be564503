// Grafana's value formatting for the units the costctl dashboards use
// (currencyUSD, percentunit, short, reqps, s, dtdurations, none), close to Grafana's own:
// a fixed number of decimals when the panel sets one, otherwise about three
// significant digits; thousands as K, M, B.

/** Decimals Grafana would pick for `value` when the panel sets none: about three significant digits. */
function autoDecimals(value) {
  if (value === 0 || !Number.isFinite(value)) return 0;
  return Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value)))));
}

function fixed(value, decimals) {
  return value.toFixed(decimals ?? autoDecimals(value));
}

/** `value` scaled to K, M, B (as Grafana's "short" and currency units do). */
function scaled(value, decimals) {
  const size = Math.abs(value);
  for (const [factor, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ]) {
    if (size >= factor) return `${fixed(value / factor, decimals)}${suffix}`;
  }
  return fixed(value, decimals);
}

function seconds(value, decimals) {
  const size = Math.abs(value);
  if (size !== 0 && size < 1) return `${fixed(value * 1000, decimals)} ms`;
  if (size < 60) return `${fixed(value, decimals)} s`;
  if (size < 3600) return `${fixed(value / 60, decimals)} min`;
  return `${fixed(value / 3600, decimals)} hour`;
}

/** Grafana's units of a duration, longest first, in seconds (a month is 30 days, a year 365 days). */
const DURATION_UNITS = [
  ['year', 31536000],
  ['month', 2592000],
  ['week', 604800],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
  ['millisecond', 0.001],
];

/** Grafana's "duration (s)": the largest whole unit, then `decimals` more units ("2 hours, 14 minutes" at 1). */
function duration(value, decimals = 0) {
  if (value === 0) return '0 seconds';
  if (value < 0) return `-${duration(-value, decimals)}`;
  const parts = [];
  let left = value;
  for (const [name, size] of DURATION_UNITS) {
    if (parts.length > decimals) break;
    if (left < size && parts.length === 0) continue;
    const whole = Math.floor(left / size);
    parts.push(`${whole} ${name}${whole === 1 ? '' : 's'}`);
    left %= size;
  }
  return parts.join(', ');
}

/**
 * `value` as Grafana shows it in `unit` with `decimals` (undefined: automatic).
 *
 * @example
 * formatValue(0.01234, 'currencyUSD') // '$0.0123'
 * formatValue(0.87, 'percentunit', 0) // '87%'
 * formatValue(8040, 'dtdurations', 1) // '2 hours, 14 minutes'
 */
export function formatValue(value, unit, decimals) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'No data';
  switch (unit) {
    case 'currencyUSD':
      return `${value < 0 ? '-' : ''}$${scaled(Math.abs(value), decimals)}`;
    case 'percentunit':
      return `${fixed(value * 100, decimals)}%`;
    case 'reqps':
      return `${scaled(value, decimals)} req/s`;
    case 's':
      return seconds(value, decimals);
    case 'dtdurations':
      return duration(value, decimals ?? 0);
    case 'short':
      return scaled(value, decimals);
    default:
      return fixed(value, decimals);
  }
}

/** Round axis ticks between `min` and `max`: about `count` of them, at 1, 2 or 5 × a power of ten, at least `minStep` apart. */
export function ticks(min, max, count = 5, minStep = 0) {
  if (!(max > min)) return [min];
  const raw = Math.max((max - min) / count, minStep);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) ?? raw;
  const values = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) values.push(Number(tick.toPrecision(12)));
  return values;
}
