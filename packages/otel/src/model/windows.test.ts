import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CostctlArgumentError } from './errors.js';
import { type CalendarUnit, type WindowSpec, ROLLING_BUCKETS, calendarWindow, isValidTimeZone, parseWindow, rollingBucket } from './windows.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNITS: readonly CalendarUnit[] = ['minute', 'hour', 'day', 'month'];
const FROM = Date.UTC(1990, 0, 1);
const TO = Date.UTC(2040, 0, 1);

// Whole hours, half hours, :45 offsets, midnights that do not exist, a 30-minute DST shift, a day skipped at the date line.
const ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'America/New_York',
  'America/Los_Angeles',
  'America/Santiago',
  'America/Sao_Paulo',
  'America/Havana',
  'Asia/Beirut',
  'Asia/Tehran',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Australia/Adelaide',
  'Pacific/Chatham',
  'Pacific/Apia',
] as const;

const at = (iso: string): number => Date.parse(iso);

const localFormats = new Map<string, Intl.DateTimeFormat>();

// The local 'YYYY-MM-DDTHH:MM' of an instant, straight from Intl, to judge the windows by.
function localTime(timeZone: string, time: number): string {
  let format = localFormats.get(timeZone);
  if (format === undefined) {
    const twoDigits = '2-digit';
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: twoDigits,
      day: twoDigits,
      hour: twoDigits,
      minute: twoDigits,
    });
    localFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(time).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

const LABEL_LENGTH: Record<CalendarUnit, number> = { month: 7, day: 10, hour: 13, minute: 16 };

function localLabel(unit: CalendarUnit, timeZone: string, time: number): string {
  return localTime(timeZone, time).slice(0, LABEL_LENGTH[unit]);
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

// The zone's offset at an instant as Intl names it ('GMT-05:00'), read apart from the code under test.
function offsetName(timeZone: string, time: number): string {
  let format = offsetFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const text = format.format(time);
  return text.slice(text.lastIndexOf(' ') + 1);
}

// Instants where a zone's offset changes, 1990–2040: a scan every 2 days (changes are at least 4 days apart), then bisection to the minute (offsets are whole minutes).
function transitions(timeZone: string): number[] {
  const found: number[] = [];
  const step = 2 * DAY;
  let name = offsetName(timeZone, FROM);
  for (let time = FROM; time < TO; time += step) {
    const next = offsetName(timeZone, time + step);
    if (next === name) continue;
    let low = time / MINUTE;
    let high = (time + step) / MINUTE;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (offsetName(timeZone, middle * MINUTE) === name) low = middle;
      else high = middle;
    }
    found.push(high * MINUTE);
    name = next;
  }
  return found;
}

const TRANSITIONS = new Map<string, number[]>(ZONES.map((zone) => [zone, transitions(zone)]));

// Brute force: the edge of the run of instants showing the label `now` shows, a quarter hour then a minute at a time.
function scanEdge(unit: CalendarUnit, timeZone: string, now: number, direction: 1 | -1): number {
  const label = localLabel(unit, timeZone, now);
  let inside = Math.floor(now / MINUTE) * MINUTE;
  for (const step of [15 * MINUTE, MINUTE]) {
    while (localLabel(unit, timeZone, inside + direction * step) === label) inside += direction * step;
  }
  return direction === 1 ? inside + MINUTE : inside;
}

// Everything a window must satisfy, checked at `now`; also visits the neighbouring windows, so the cache is refilled each time.
function checkWindow(unit: CalendarUnit, timeZone: string, now: number): void {
  const window = calendarWindow(unit, now, timeZone);
  const { key, start, end } = window;
  expect(start).toBeLessThanOrEqual(now);
  expect(now).toBeLessThan(end);

  const label = `${unit}:${localLabel(unit, timeZone, now)}`;
  expect(key.slice(0, label.length)).toBe(label);
  expect(key.slice(label.length)).toMatch(/^(|[+-]\d\d:\d\d)$/);

  const next = calendarWindow(unit, end, timeZone);
  expect(next.start).toBe(end);
  expect(next.key).not.toBe(key);
  expect(calendarWindow(unit, start, timeZone)).toEqual(window);
  const previous = calendarWindow(unit, start - 1, timeZone);
  expect(previous.end).toBe(start);
  expect(previous.key).not.toBe(key);
  expect(calendarWindow(unit, end - 1, timeZone)).toEqual(window);

  const length = end - start;
  switch (unit) {
    case 'minute':
      expect(length).toBe(MINUTE);
      break;
    case 'hour':
      // Exactly an hour unless the clock jumps inside it, or at its edge onto a time not on the hour (Chatham's 02:45 → 03:45).
      if (localTime(timeZone, start).slice(14) === '00' && localTime(timeZone, end - 1).slice(14) === '59' && !hasTransition(timeZone, start, end)) {
        expect(length).toBe(HOUR);
      } else {
        expect(length).toBeGreaterThanOrEqual(15 * MINUTE);
        expect(length).toBeLessThanOrEqual(2 * HOUR);
      }
      break;
    case 'day':
      expect(length).toBeGreaterThanOrEqual(22 * HOUR);
      expect(length).toBeLessThanOrEqual(26 * HOUR);
      break;
    case 'month':
      expect(length).toBeGreaterThanOrEqual(28 * DAY - 2 * HOUR);
      expect(length).toBeLessThanOrEqual(31 * DAY + 2 * HOUR);
      break;
  }
}

function hasTransition(timeZone: string, start: number, end: number): boolean {
  return (TRANSITIONS.get(timeZone) ?? []).some((time) => time > start && time < end);
}

// Mostly instants near an offset change, where the bugs live; some anywhere in 1990–2040.
const zoneAndInstant = fc.constantFrom(...ZONES).chain((zone) => {
  const changes = TRANSITIONS.get(zone) ?? [];
  const anywhere = fc.integer({ min: FROM, max: TO });
  if (changes.length === 0) return fc.tuple(fc.constant(zone), anywhere);
  const nearChange = fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -26 * HOUR, max: 26 * HOUR })).map(([change, delta]) => change + delta);
  return fc.tuple(fc.constant(zone), fc.oneof(anywhere, nearChange, nearChange));
});

describe('parseWindow', () => {
  it.each<[string, WindowSpec]>([
    ['minute', { kind: 'calendar', unit: 'minute' }],
    ['hour', { kind: 'calendar', unit: 'hour' }],
    ['day', { kind: 'calendar', unit: 'day' }],
    ['month', { kind: 'calendar', unit: 'month' }],
    ['total', { kind: 'total' }],
    ['rolling:90s', { kind: 'rolling', durationMs: 90_000 }],
    ['rolling:15m', { kind: 'rolling', durationMs: 900_000 }],
    ['rolling:2h', { kind: 'rolling', durationMs: 7_200_000 }],
    ['rolling:7d', { kind: 'rolling', durationMs: 7 * DAY }],
    ['rolling:1s', { kind: 'rolling', durationMs: 1000 }],
    ['rolling:366d', { kind: 'rolling', durationMs: 366 * DAY }],
    ['rolling:8784h', { kind: 'rolling', durationMs: 366 * DAY }],
    ['rolling:31622400s', { kind: 'rolling', durationMs: 366 * DAY }],
  ])('%j', (text, expected) => {
    expect(parseWindow(text)).toEqual(expected);
  });

  it.each([
    '',
    'week',
    'Day',
    ' day',
    'day ',
    'rolling',
    'rolling:',
    'rolling:15',
    'rolling:m',
    'rolling:0s',
    'rolling:015m',
    'rolling:-5m',
    'rolling:1.5h',
    'rolling:15M',
    'rolling:15min',
    'rolling:367d',
    'rolling:8785h',
    'rolling:31622401s',
    'rolling:9999999999999s',
    'rolling:15m ',
    'calendar:day',
  ])('%j is not a window', (text) => {
    expect(parseWindow(text)).toBeUndefined();
  });
});

describe('isValidTimeZone', () => {
  it('is exported beside the windows, for configuration checks', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('+02:00')).toBe(false);
  });
});

describe('calendarWindow', () => {
  it.each<[string, CalendarUnit, string, string, string, string]>([
    // Plain UTC, and the exact key formats.
    ['UTC', 'minute', '2026-11-23T14:05:07.123Z', 'minute:2026-11-23T14:05', '2026-11-23T14:05:00Z', '2026-11-23T14:06:00Z'],
    ['UTC', 'hour', '2026-11-23T14:05:07Z', 'hour:2026-11-23T14', '2026-11-23T14:00:00Z', '2026-11-23T15:00:00Z'],
    ['UTC', 'day', '2026-11-23T14:05:07Z', 'day:2026-11-23', '2026-11-23T00:00:00Z', '2026-11-24T00:00:00Z'],
    ['UTC', 'month', '2026-11-23T14:05:07Z', 'month:2026-11', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'],
    // Month ends, leap years (2000 is one, 2100 is not), year ends.
    ['UTC', 'day', '2028-02-29T12:00:00Z', 'day:2028-02-29', '2028-02-29T00:00:00Z', '2028-03-01T00:00:00Z'],
    ['UTC', 'month', '2028-02-29T23:59:59.999Z', 'month:2028-02', '2028-02-01T00:00:00Z', '2028-03-01T00:00:00Z'],
    ['UTC', 'month', '2026-02-14T00:00:00Z', 'month:2026-02', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    ['UTC', 'month', '2000-02-14T00:00:00Z', 'month:2000-02', '2000-02-01T00:00:00Z', '2000-03-01T00:00:00Z'],
    ['UTC', 'month', '2100-02-14T00:00:00Z', 'month:2100-02', '2100-02-01T00:00:00Z', '2100-03-01T00:00:00Z'],
    ['UTC', 'month', '2026-04-30T23:00:00Z', 'month:2026-04', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z'],
    ['UTC', 'minute', '2026-12-31T23:59:59.999Z', 'minute:2026-12-31T23:59', '2026-12-31T23:59:00Z', '2027-01-01T00:00:00Z'],
    ['UTC', 'month', '2027-01-01T00:00:00Z', 'month:2027-01', '2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z'],
    ['Europe/Paris', 'day', '2026-12-31T23:30:00Z', 'day:2027-01-01', '2026-12-31T23:00:00Z', '2027-01-01T23:00:00Z'],
    ['Europe/Paris', 'month', '2026-12-31T23:30:00Z', 'month:2027-01', '2026-12-31T23:00:00Z', '2027-01-31T23:00:00Z'],
    ['America/Los_Angeles', 'month', '2027-01-01T05:00:00Z', 'month:2026-12', '2026-12-01T08:00:00Z', '2027-01-01T08:00:00Z'],
    // New York: a 23-hour and a 25-hour day; 02:00 skipped; 01:00–02:00 run through twice, one 2-hour window.
    ['America/New_York', 'day', '2026-03-08T12:00:00Z', 'day:2026-03-08', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'],
    ['America/New_York', 'day', '2026-11-01T12:00:00Z', 'day:2026-11-01', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'],
    ['America/New_York', 'hour', '2026-03-08T06:59:59.999Z', 'hour:2026-03-08T01', '2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z'],
    ['America/New_York', 'hour', '2026-03-08T07:00:00Z', 'hour:2026-03-08T03', '2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z'],
    ['America/New_York', 'hour', '2026-11-01T06:30:00Z', 'hour:2026-11-01T01', '2026-11-01T05:00:00Z', '2026-11-01T07:00:00Z'],
    ['America/New_York', 'minute', '2026-11-01T05:30:10Z', 'minute:2026-11-01T01:30', '2026-11-01T05:30:00Z', '2026-11-01T05:31:00Z'],
    ['America/New_York', 'minute', '2026-11-01T06:30:10Z', 'minute:2026-11-01T01:30-05:00', '2026-11-01T06:30:00Z', '2026-11-01T06:31:00Z'],
    ['America/New_York', 'minute', '2026-11-01T07:00:00Z', 'minute:2026-11-01T02:00', '2026-11-01T07:00:00Z', '2026-11-01T07:01:00Z'],
    ['America/New_York', 'month', '2026-11-15T00:00:00Z', 'month:2026-11', '2026-11-01T04:00:00Z', '2026-12-01T05:00:00Z'],
    // London: the shift at 01:00 UTC.
    ['Europe/London', 'day', '2026-03-29T12:00:00Z', 'day:2026-03-29', '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z'],
    ['Europe/London', 'day', '2026-10-25T12:00:00Z', 'day:2026-10-25', '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z'],
    ['Europe/London', 'hour', '2026-03-29T01:00:00Z', 'hour:2026-03-29T02', '2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z'],
    // Lord Howe Island moves its clocks by 30 minutes: days of 23.5 h and 24.5 h, hours of 30 and 90 minutes.
    ['Australia/Lord_Howe', 'day', '2026-10-04T12:00:00Z', 'day:2026-10-04', '2026-10-03T13:30:00Z', '2026-10-04T13:00:00Z'],
    ['Australia/Lord_Howe', 'hour', '2026-10-03T15:45:00Z', 'hour:2026-10-04T02', '2026-10-03T15:30:00Z', '2026-10-03T16:00:00Z'],
    ['Australia/Lord_Howe', 'day', '2026-04-05T12:00:00Z', 'day:2026-04-05', '2026-04-04T13:00:00Z', '2026-04-05T13:30:00Z'],
    ['Australia/Lord_Howe', 'hour', '2026-04-04T15:00:00Z', 'hour:2026-04-05T01', '2026-04-04T14:00:00Z', '2026-04-04T15:30:00Z'],
    ['Australia/Lord_Howe', 'minute', '2026-04-04T15:15:00Z', 'minute:2026-04-05T01:45+10:30', '2026-04-04T15:15:00Z', '2026-04-04T15:16:00Z'],
    // Non-whole-hour offsets: local hours start at :30 or :15 UTC.
    ['Asia/Kolkata', 'hour', '2026-11-23T08:45:00Z', 'hour:2026-11-23T14', '2026-11-23T08:30:00Z', '2026-11-23T09:30:00Z'],
    ['Asia/Kathmandu', 'day', '2026-11-23T12:00:00Z', 'day:2026-11-23', '2026-11-22T18:15:00Z', '2026-11-23T18:15:00Z'],
    ['Asia/Kathmandu', 'hour', '2026-11-23T08:20:00Z', 'hour:2026-11-23T14', '2026-11-23T08:15:00Z', '2026-11-23T09:15:00Z'],
    // Kathmandu went from +05:30 to +05:45 at midnight 1986: that day began at 00:15.
    ['Asia/Kathmandu', 'day', '1985-12-31T20:00:00Z', 'day:1986-01-01', '1985-12-31T18:30:00Z', '1986-01-01T18:15:00Z'],
    // Chatham (+12:45/+13:45) shifts at 02:45: hours of 45 and 15 minutes, and on the way back 02 and 03 shown twice.
    ['Pacific/Chatham', 'day', '2026-09-27T00:00:00Z', 'day:2026-09-27', '2026-09-26T11:15:00Z', '2026-09-27T10:15:00Z'],
    ['Pacific/Chatham', 'hour', '2026-09-26T13:30:00Z', 'hour:2026-09-27T02', '2026-09-26T13:15:00Z', '2026-09-26T14:00:00Z'],
    ['Pacific/Chatham', 'hour', '2026-09-26T14:05:00Z', 'hour:2026-09-27T03', '2026-09-26T14:00:00Z', '2026-09-26T14:15:00Z'],
    ['Pacific/Chatham', 'hour', '2026-04-04T12:30:00Z', 'hour:2026-04-05T02', '2026-04-04T12:15:00Z', '2026-04-04T13:15:00Z'],
    ['Pacific/Chatham', 'hour', '2026-04-04T13:30:00Z', 'hour:2026-04-05T03', '2026-04-04T13:15:00Z', '2026-04-04T14:00:00Z'],
    ['Pacific/Chatham', 'hour', '2026-04-04T14:05:00Z', 'hour:2026-04-05T02+12:45', '2026-04-04T14:00:00Z', '2026-04-04T14:15:00Z'],
    ['Pacific/Chatham', 'hour', '2026-04-04T14:30:00Z', 'hour:2026-04-05T03+12:45', '2026-04-04T14:15:00Z', '2026-04-04T15:15:00Z'],
    // Santiago, Beirut and São Paulo (until 2019) move clocks at midnight: the day of a skipped midnight begins at 01:00.
    ['America/Santiago', 'day', '2026-09-05T12:00:00Z', 'day:2026-09-05', '2026-09-05T04:00:00Z', '2026-09-06T04:00:00Z'],
    ['America/Santiago', 'day', '2026-09-06T12:00:00Z', 'day:2026-09-06', '2026-09-06T04:00:00Z', '2026-09-07T03:00:00Z'],
    ['America/Santiago', 'day', '2026-04-04T12:00:00Z', 'day:2026-04-04', '2026-04-04T03:00:00Z', '2026-04-05T04:00:00Z'],
    ['America/Santiago', 'minute', '2026-04-05T03:30:00Z', 'minute:2026-04-04T23:30-04:00', '2026-04-05T03:30:00Z', '2026-04-05T03:31:00Z'],
    ['Asia/Beirut', 'day', '2026-03-29T12:00:00Z', 'day:2026-03-29', '2026-03-28T22:00:00Z', '2026-03-29T21:00:00Z'],
    ['Asia/Beirut', 'day', '2026-10-24T12:00:00Z', 'day:2026-10-24', '2026-10-23T21:00:00Z', '2026-10-24T22:00:00Z'],
    ['America/Sao_Paulo', 'day', '2018-11-04T12:00:00Z', 'day:2018-11-04', '2018-11-04T03:00:00Z', '2018-11-05T02:00:00Z'],
    // Samoa skipped 2011-12-30 crossing the date line: the 29th is followed by the 31st, and December had 30 days.
    ['Pacific/Apia', 'day', '2011-12-30T09:00:00Z', 'day:2011-12-29', '2011-12-29T10:00:00Z', '2011-12-30T10:00:00Z'],
    ['Pacific/Apia', 'day', '2011-12-30T10:00:00Z', 'day:2011-12-31', '2011-12-30T10:00:00Z', '2011-12-31T10:00:00Z'],
    ['Pacific/Apia', 'month', '2011-12-15T00:00:00Z', 'month:2011-12', '2011-12-01T10:00:00Z', '2011-12-31T10:00:00Z'],
    // Local mean time had seconds in its offset: Paris was +00:09:21 until 1911.
    ['Europe/Paris', 'minute', '1900-06-01T12:00:00Z', 'minute:1900-06-01T12:09', '1900-06-01T11:59:39Z', '1900-06-01T12:00:39Z'],
  ])('%s %s at %s is %s', (timeZone, unit, now, key, start, end) => {
    expect(calendarWindow(unit, at(now), timeZone)).toEqual({ key, start: at(start), end: at(end) });
    checkWindow(unit, timeZone, at(now));
  });

  it('holds its invariants at random instants from 1990 to 2040, most near a DST change', () => {
    fc.assert(
      fc.property(zoneAndInstant, fc.constantFrom(...UNITS), ([zone, now], unit) => {
        checkWindow(unit, zone, now);
      }),
      { numRuns: 1500 },
    );
  });

  it('holds its invariants around every offset change of every zone from 1990 to 2040', () => {
    for (const [zone, changes] of TRANSITIONS) {
      for (const change of changes) {
        // Month windows cost a month of offset probes, so they are checked where a change can move their edge.
        const day = Number(localTime(zone, change).slice(8, 10));
        for (const unit of day <= 2 || day >= 28 ? UNITS : UNITS.slice(0, 3)) checkWindow(unit, zone, change);
      }
    }
  }, 30_000);

  it('agrees with a minute-by-minute scan of Intl', () => {
    fc.assert(
      fc.property(zoneAndInstant, fc.constantFrom<CalendarUnit>('minute', 'hour', 'day'), ([zone, now], unit) => {
        const { start, end } = calendarWindow(unit, now, zone);
        expect([start, end]).toEqual([scanEdge(unit, zone, now, -1), scanEdge(unit, zone, now, 1)]);
      }),
      { numRuns: 500 },
    );
  });

  it('never gives two windows the same key across a DST change', () => {
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago', 'Asia/Beirut']) {
      for (const change of (TRANSITIONS.get(zone) ?? []).filter((time) => time > Date.UTC(2025, 0) && time < Date.UTC(2027, 0))) {
        for (const unit of ['minute', 'hour'] as const) {
          const keys = new Set<string>();
          let count = 0;
          for (let time = change - 3 * HOUR; time < change + 3 * HOUR; time = calendarWindow(unit, time, zone).end) {
            keys.add(calendarWindow(unit, time, zone).key);
            count++;
          }
          expect(keys.size).toBe(count);
        }
      }
    }
  });

  it('refuses an invalid time zone or instant', () => {
    expect(() => calendarWindow('day', Date.now(), 'Mars/Olympus')).toThrow(CostctlArgumentError);
    expect(() => calendarWindow('day', Date.now(), '+02:00')).toThrow(CostctlArgumentError);
    expect(() => calendarWindow('day', Number.NaN, 'UTC')).toThrow(CostctlArgumentError);
  });
});

describe('calendarWindow cache', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('returns the same window, without asking Intl, while now stays inside it', () => {
    const first = calendarWindow('day', at('2026-11-23T01:00:00Z'), 'Asia/Tokyo');
    const formatToParts = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    expect(calendarWindow('day', at('2026-11-23T14:59:59.999Z'), 'Asia/Tokyo')).toBe(first);
    expect(formatToParts).not.toHaveBeenCalled();
  });

  it('moves on at the end and comes back when the clock is set back', () => {
    expect(calendarWindow('day', at('2026-11-23T15:00:00Z'), 'Asia/Tokyo').key).toBe('day:2026-11-24');
    expect(calendarWindow('day', at('2026-11-23T14:00:00Z'), 'Asia/Tokyo').key).toBe('day:2026-11-23');
  });

  it('keeps zones and units apart', () => {
    const now = at('2026-11-23T20:00:00Z');
    expect(calendarWindow('day', now, 'Asia/Tokyo').key).toBe('day:2026-11-24');
    expect(calendarWindow('day', now, 'America/New_York').key).toBe('day:2026-11-23');
    expect(calendarWindow('month', now, 'Asia/Tokyo').key).toBe('month:2026-11');
    expect(calendarWindow('hour', now, 'Asia/Tokyo').key).toBe('hour:2026-11-24T05');
  });
});

describe('rollingBucket', () => {
  it('cuts a 15-minute window into 60 buckets of 15 s', () => {
    expect(ROLLING_BUCKETS).toBe(60);
    expect(rollingBucket(900_000, 1_800_000_015_000)).toEqual({ bucketMs: 15_000, index: 120_000_001, oldest: 119_999_942 });
  });

  it('rounds buckets up to whole ms when the duration does not divide', () => {
    expect(rollingBucket(1000, 1_000_000).bucketMs).toBe(17);
  });

  it.each([0, -1, Number.NaN, Infinity])('refuses a duration of %d ms', (durationMs) => {
    expect(() => rollingBucket(durationMs, Date.now())).toThrow(CostctlArgumentError);
  });

  it('covers the duration with the current bucket and the 59 before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 366 * 86_400 }), fc.integer({ min: FROM, max: TO }), (seconds, now) => {
        const durationMs = seconds * 1000;
        const { bucketMs, index, oldest } = rollingBucket(durationMs, now);
        expect(oldest).toBe(index - ROLLING_BUCKETS + 1);
        expect(index * bucketMs).toBeLessThanOrEqual(now);
        expect(now).toBeLessThan((index + 1) * bucketMs);
        expect(ROLLING_BUCKETS * bucketMs).toBeGreaterThanOrEqual(durationMs);
        expect(ROLLING_BUCKETS * bucketMs).toBeLessThan(durationMs + ROLLING_BUCKETS);
      }),
      { numRuns: 2000 },
    );
  });
});
