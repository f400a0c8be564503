/**
 * The windows budget rules count spend over: calendar minutes, hours, days
 * and months in the configured time zone, rolling durations counted in
 * fixed buckets, and the whole lifetime (`total`).
 *
 * A calendar window is the stretch of time during which the zone's clock
 * shows one label (a minute, hour, day or month). Labels change where the
 * clock passes a boundary or jumps: a day whose midnight is skipped
 * (America/Santiago, Asia/Beirut) starts at its first instant, 01:00; an
 * hour the clock runs through twice without leaving it (01:00–02:00 on a
 * New York fall-back night) is one two-hour window. A label the clock shows
 * again after being turned back (minute 01:30 that night) is a new window
 * whose key ends with its UTC offset ('minute:2026-11-01T01:30-05:00'), so
 * no two windows share a key.
 */
import { CostctlArgumentError } from './errors.js';
import { type ZoneClock, zoneClock } from './zone-clock.js';

export { isValidTimeZone } from './zone-clock.js';

/** A unit of calendar window, in the configured time zone. */
export type CalendarUnit = 'minute' | 'hour' | 'day' | 'month';

/** A budget window as parsed from configuration. */
export type WindowSpec = { kind: 'calendar'; unit: CalendarUnit } | { kind: 'rolling'; durationMs: number } | { kind: 'total' };

/** One calendar window: `start` inclusive, `end` exclusive, in ms since the epoch. */
export interface CalendarWindow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** The bucket of a rolling window that `now` falls in. */
export interface RollingBucket {
  readonly bucketMs: number;
  /** floor(now / bucketMs). */
  readonly index: number;
  /** The first bucket index still inside the window ending at `now`. */
  readonly oldest: number;
}

/** Buckets per rolling window: spend is summed over this many counters, whatever the duration. */
export const ROLLING_BUCKETS = 60;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MAX_ROLLING_MS = 366 * DAY;

const ROLLING_TEXT = /^rolling:([1-9][0-9]{0,8})([smhd])$/;
const SUFFIX_MS = { s: SECOND, m: MINUTE, h: HOUR, d: DAY } as const;
const CALENDAR_UNITS: ReadonlySet<string> = new Set<CalendarUnit>(['minute', 'hour', 'day', 'month']);
// Characters of 'YYYY-MM-DDTHH:MM' that name each unit.
const KEY_LENGTH = { month: 7, day: 10, hour: 13, minute: 16 } as const;

/**
 * Parses a window as written in configuration: 'minute', 'hour', 'day',
 * 'month', 'total', or 'rolling:<n><s|m|h|d>' with n from 1 s to 366 d and
 * no leading zero. Undefined when the text is anything else.
 *
 * @example
 * parseWindow('rolling:15m') // { kind: 'rolling', durationMs: 900_000 }
 * parseWindow('day') // { kind: 'calendar', unit: 'day' }
 * parseWindow('week') // undefined
 */
export function parseWindow(text: string): WindowSpec | undefined {
  if (text === 'total') return { kind: 'total' };
  if (CALENDAR_UNITS.has(text)) return { kind: 'calendar', unit: text as CalendarUnit };
  const match = ROLLING_TEXT.exec(text);
  if (match === null) return undefined;
  const durationMs = Number(match[1]) * SUFFIX_MS[match[2] as keyof typeof SUFFIX_MS];
  return durationMs <= MAX_ROLLING_MS ? { kind: 'rolling', durationMs } : undefined;
}

type ZoneWindows = { readonly clock: ZoneClock } & Record<CalendarUnit, CalendarWindow | undefined>;

// The window each (zone, unit) was last asked about: while now stays inside it, a lookup is two comparisons.
const current = new Map<string, ZoneWindows>();

/**
 * The calendar window containing `now` in `timeZone`, with a key naming it
 * in local time: 'minute:2026-11-23T14:05', 'hour:2026-11-23T14',
 * 'day:2026-11-23', 'month:2026-11' (plus the UTC offset for a label the
 * clock shows a second time, see the module comment). Windows tile time:
 * the window at `end` starts at `end`. The result is cached per zone and
 * unit and returned as is while `now` stays inside it.
 *
 * @throws CostctlArgumentError for an invalid time zone or a `now` that is not a finite time.
 * @example
 * calendarWindow('day', Date.UTC(2026, 2, 8, 12), 'America/New_York')
 * // { key: 'day:2026-03-08', start: Date.UTC(2026, 2, 8, 5), end: Date.UTC(2026, 2, 9, 4) } (23 h: clocks go forward)
 */
export function calendarWindow(unit: CalendarUnit, now: number, timeZone: string): CalendarWindow {
  let zone = current.get(timeZone);
  if (zone === undefined) {
    zone = { clock: zoneClock(timeZone), minute: undefined, hour: undefined, day: undefined, month: undefined };
    current.set(timeZone, zone);
  }
  const cached = zone[unit];
  // A clock set back lands before `start` and recomputes too.
  if (cached !== undefined && now >= cached.start && now < cached.end) return cached;
  const window = findWindow(zone.clock, unit, now);
  zone[unit] = window;
  return window;
}

function findWindow(clock: ZoneClock, unit: CalendarUnit, now: number): CalendarWindow {
  if (!Number.isFinite(now)) throw new CostctlArgumentError(`costctl: now must be a time in ms since the epoch, got ${now}`);
  const offset = clock.offsetAt(now);
  const label = labelOf(unit, now + offset);
  const start = windowStart(clock, unit, label, now, offset);
  const end = windowEnd(clock, unit, label, now, offset);
  const startOffset = clock.offsetAt(start);
  const key = `${unit}:${isoLocal(label, KEY_LENGTH[unit])}`;
  return Object.freeze({ key: isShownAgain(clock, label, start, startOffset) ? key + formatOffset(startOffset) : key, start, end });
}

// Walks back over stretches of constant offset until the instant before shows another label.
function windowStart(clock: ZoneClock, unit: CalendarUnit, label: number, now: number, offset: number): number {
  let time = now;
  let stretchOffset = offset;
  for (;;) {
    const labelBegins = label - stretchOffset;
    const start = clock.spanStart(labelBegins, time, stretchOffset) ?? labelBegins;
    const before = start - 1;
    const beforeOffset = clock.offsetAt(before);
    if (labelOf(unit, before + beforeOffset) !== label) return start;
    time = before;
    stretchOffset = beforeOffset;
  }
}

// Walks forward over stretches of constant offset until an instant shows another label.
function windowEnd(clock: ZoneClock, unit: CalendarUnit, label: number, now: number, offset: number): number {
  const next = nextLabel(unit, label);
  let time = now;
  let stretchOffset = offset;
  for (;;) {
    const labelEnds = next - stretchOffset;
    const end = clock.changeAfter(time, labelEnds, stretchOffset);
    if (end === undefined) return labelEnds;
    const endOffset = clock.offsetAt(end);
    if (labelOf(unit, end + endOffset) !== label) return end;
    time = end;
    stretchOffset = endOffset;
  }
}

// A window that begins after the clock was turned back shows a label an earlier window showed (the offset a day before is the pre-jump one).
function isShownAgain(clock: ZoneClock, label: number, start: number, startOffset: number): boolean {
  const earlierOffset = clock.offsetAt(start - DAY);
  if (earlierOffset <= startOffset) return false;
  const firstShown = label - earlierOffset;
  return firstShown < start && clock.offsetAt(firstShown) === earlierOffset;
}

// Labels are local wall-clock times written as UTC instants: the label's first wall-clock moment.
function labelOf(unit: CalendarUnit, wall: number): number {
  switch (unit) {
    case 'minute':
      return wall - modulo(wall, MINUTE);
    case 'hour':
      return wall - modulo(wall, HOUR);
    case 'day':
      return wall - modulo(wall, DAY);
    case 'month': {
      const date = new Date(wall - modulo(wall, DAY));
      date.setUTCDate(1);
      return date.getTime();
    }
  }
}

function nextLabel(unit: CalendarUnit, label: number): number {
  switch (unit) {
    case 'minute':
      return label + MINUTE;
    case 'hour':
      return label + HOUR;
    case 'day':
      return label + DAY;
    case 'month': {
      const date = new Date(label);
      date.setUTCMonth(date.getUTCMonth() + 1);
      return date.getTime();
    }
  }
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

// toISOString writes years past 9999 as '+012026', so cut relative to its usual 24 characters.
function isoLocal(wall: number, length: number): string {
  const iso = new Date(wall).toISOString();
  return iso.slice(0, iso.length - 24 + length);
}

function formatOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const seconds = Math.abs(offset) / SECOND;
  const two = (n: number) => String(n).padStart(2, '0');
  const text = `${sign}${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}`;
  return seconds % 60 === 0 ? text : `${text}:${two(seconds % 60)}`;
}

/**
 * The bucket of a rolling window of `durationMs` that `now` falls in. The
 * window ending at `now` is buckets `oldest`…`index`: ROLLING_BUCKETS
 * buckets of ⌈durationMs / ROLLING_BUCKETS⌉ ms, the newest one partly
 * elapsed, so it spans between one bucket less than the duration and the
 * duration (plus under ROLLING_BUCKETS ms of rounding).
 *
 * @throws CostctlArgumentError when `durationMs` is not positive or `now` not finite.
 * @example
 * rollingBucket(900_000, 1_800_000_015_000) // { bucketMs: 15_000, index: 120_000_001, oldest: 119_999_942 }
 */
export function rollingBucket(durationMs: number, now: number): RollingBucket {
  const bucketMs = bucketWidth(durationMs);
  if (!Number.isFinite(now)) throw new CostctlArgumentError(`costctl: now must be a time in ms since the epoch, got ${now}`);
  const index = Math.floor(now / bucketMs);
  return { bucketMs, index, oldest: index - ROLLING_BUCKETS + 1 };
}

function bucketWidth(durationMs: number): number {
  if (!(durationMs > 0 && Number.isFinite(durationMs))) {
    throw new CostctlArgumentError(`costctl: a rolling window needs a positive duration in ms, got ${durationMs}`);
  }
  return Math.ceil(durationMs / ROLLING_BUCKETS);
}
