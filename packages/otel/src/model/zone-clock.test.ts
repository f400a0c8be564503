import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidTimeZone, zoneClock } from './zone-clock.js';
import { CostctlArgumentError } from './errors.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

// An offset read the other way, from Intl's 'GMT+05:45' names, to check offsetAt against.
function intlOffset(timeZone: string, time: number): number {
  let format = offsetFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(time).find((part) => part.type === 'timeZoneName')?.value;
  const match = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(name ?? '');
  if (match === null) throw new Error(`unexpected offset name ${name}`);
  if (match[1] === undefined) return 0;
  const ms = Number(match[2]) * HOUR + Number(match[3]) * MINUTE + Number(match[4] ?? 0) * 1000;
  return match[1] === '-' ? -ms : ms;
}

describe('isValidTimeZone', () => {
  it.each([
    ['UTC', true],
    ['Europe/Paris', true],
    ['America/New_York', true],
    ['Asia/Kathmandu', true],
    ['Etc/GMT-2', true],
    ['US/Eastern', true],
    ['Asia/Calcutta', true],
    ['europe/paris', true],
    ['', false],
    ['Mars/Olympus', false],
    ['+02:00', false],
    ['-05:00', false],
    ['+0530', false],
    ['+02', false],
    ['UTC+2', false],
    [' UTC', false],
    ['Local', false],
  ])('%j is valid: %j', (timeZone, expected) => {
    expect(isValidTimeZone(timeZone)).toBe(expected);
  });

  it('accepts every zone Intl lists', () => {
    const rejected = Intl.supportedValuesOf('timeZone').filter((timeZone) => !isValidTimeZone(timeZone));
    expect(rejected).toEqual([]);
  });

  it('refuses a value that is not a string, as configuration from JSON might hold', () => {
    expect(isValidTimeZone(2 as unknown as string)).toBe(false);
  });
});

describe('zoneClock', () => {
  it('is one shared clock per zone', () => {
    expect(zoneClock('Europe/Paris')).toBe(zoneClock('Europe/Paris'));
  });

  it.each(['Mars/Olympus', '+02:00', ''])('refuses %j with the allowed values in the message', (timeZone) => {
    expect(() => zoneClock(timeZone)).toThrow(CostctlArgumentError);
    expect(() => zoneClock(timeZone)).toThrow(/IANA name such as "UTC", "Europe\/Paris"/);
  });
});

describe('ZoneClock.offsetAt', () => {
  it.each([
    ['UTC', '2026-11-23T14:05:07Z', 0],
    ['Asia/Kathmandu', '2026-11-23T00:00:00Z', 5 * HOUR + 45 * MINUTE],
    ['Asia/Kolkata', '2026-11-23T00:00:00Z', 5 * HOUR + 30 * MINUTE],
    ['Pacific/Chatham', '2026-07-01T00:00:00Z', 12 * HOUR + 45 * MINUTE],
    ['Pacific/Chatham', '2026-12-01T00:00:00Z', 13 * HOUR + 45 * MINUTE],
    ['America/New_York', '2026-01-15T00:00:00Z', -5 * HOUR],
    ['America/New_York', '2026-07-15T00:00:00Z', -4 * HOUR],
    ['Europe/Paris', '1900-06-01T12:00:00Z', 9 * MINUTE + 21_000],
    ['UTC', '1969-12-31T23:59:59.999Z', 0],
    ['UTC', '0050-03-01T00:00:00Z', 0],
    ['UTC', '-000100-02-29T00:00:00Z', 0],
  ])('%s at %s is %d ms', (timeZone, at, expected) => {
    expect(zoneClock(timeZone).offsetAt(Date.parse(at))).toBe(expected);
  });

  it('agrees with the offset Intl names, in any zone at any time from 1900 to 2100', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), (timeZone, time) => {
        expect(zoneClock(timeZone).offsetAt(time)).toBe(intlOffset(timeZone, time));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ZoneClock memory', () => {
  // The clock remembers the last stretch without a change and the last change: reading in order must still see every change.
  it.each([
    ['America/New_York', 2025],
    ['Australia/Lord_Howe', 2025],
    ['Pacific/Chatham', 2025],
    ['Pacific/Apia', 2011],
    ['Europe/Moscow', 2010],
  ])('stays right read forwards, then backwards, through two years of %s from %d', (timeZone, year) => {
    const clock = zoneClock(timeZone);
    const times: number[] = [];
    for (let time = Date.UTC(year, 0, 1); time < Date.UTC(year + 2, 0, 1); time += 181 * MINUTE) times.push(time);
    for (const time of [...times, ...times.reverse()]) expect(clock.offsetAt(time)).toBe(intlOffset(timeZone, time));
  });

  it('does not stretch one offset over the month of Ramadan time in Casablanca', () => {
    const clock = zoneClock('Africa/Casablanca');
    expect(clock.offsetAt(Date.UTC(2026, 1, 14, 12))).toBe(HOUR);
    expect(clock.offsetAt(Date.UTC(2026, 2, 23, 12))).toBe(HOUR);
    expect(clock.offsetAt(Date.UTC(2026, 2, 1, 12))).toBe(0);
  });

  it('finds each change again from any range around it', () => {
    const clock = zoneClock('Europe/London');
    const spring = Date.UTC(2026, 2, 29, 1);
    const autumn = Date.UTC(2026, 9, 25, 1);
    expect(clock.changeAfter(spring - 5 * HOUR, spring + HOUR, 0)).toBe(spring);
    expect(clock.changeAfter(autumn - HOUR, autumn + 5 * HOUR, HOUR)).toBe(autumn);
    expect(clock.spanStart(spring - HOUR, spring + 7 * HOUR, HOUR)).toBe(spring);
    expect(clock.changeAfter(spring - 1000, spring, 0)).toBe(spring);
    expect(clock.changeAfter(spring, spring + 5 * HOUR, HOUR)).toBeUndefined();
  });
});

describe('ZoneClock.changeAfter and spanStart', () => {
  const newYork = zoneClock('America/New_York');
  const before = Date.UTC(2026, 2, 6);
  const after = Date.UTC(2026, 2, 10);
  const change = Date.UTC(2026, 2, 8, 7);

  it('finds the exact second clocks go forward', () => {
    expect(newYork.changeAfter(before, after, newYork.offsetAt(before))).toBe(change);
    expect(newYork.spanStart(before, after, newYork.offsetAt(after))).toBe(change);
  });

  it('counts a change exactly at the end of the range, and none before the start', () => {
    expect(newYork.changeAfter(before, change, -5 * HOUR)).toBe(change);
    expect(newYork.changeAfter(before, change - 1, -5 * HOUR)).toBeUndefined();
    expect(newYork.spanStart(change, after, -4 * HOUR)).toBeUndefined();
    expect(newYork.spanStart(change - 1, after, -4 * HOUR)).toBe(change);
  });

  it('is undefined when the offset holds', () => {
    expect(newYork.changeAfter(Date.UTC(2026, 5, 1), Date.UTC(2026, 8, 1), -4 * HOUR)).toBeUndefined();
    expect(newYork.spanStart(Date.UTC(2026, 5, 1), Date.UTC(2026, 8, 1), -4 * HOUR)).toBeUndefined();
  });

  it('finds the 30-minute shift of Lord Howe Island', () => {
    const lordHowe = zoneClock('Australia/Lord_Howe');
    const from = Date.UTC(2026, 9, 1);
    expect(lordHowe.changeAfter(from, Date.UTC(2026, 9, 31), lordHowe.offsetAt(from))).toBe(Date.UTC(2026, 9, 3, 15, 30));
  });
});
