/**
 * The wall clock of an IANA time zone, read through Intl: its UTC offset at
 * any instant, and the instants where that offset changes (daylight saving
 * time, a zone moving to another offset, a country crossing the date line).
 */
import { CostctlArgumentError } from './errors.js';

const SECOND = 1000;

// tzdb offset changes are never closer than ~4 days (Africa/Freetown 1939): probes a day apart miss none, and a day holds at most one.
const PROBE_MS = 86_400_000;

/**
 * True when `timeZone` names an IANA time zone Intl knows: canonical names
 * ('Europe/Paris', 'UTC'), links ('US/Eastern', 'Asia/Calcutta'), matched
 * case-insensitively as Intl does. False for '', unknown names
 * ('Mars/Olympus') and UTC offsets ('+02:00', '-0500'), which Intl accepts
 * but which never follow daylight saving time, so a calendar day in one
 * drifts an hour from the local day half the year; 'Etc/GMT-2' spells a
 * fixed UTC+02:00 for whoever really wants one.
 *
 * @example
 * isValidTimeZone('Europe/Paris') // true
 * isValidTimeZone('+02:00') // false
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || !/^[A-Za-z]/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * One time zone's clock. Reading an offset formats a date with Intl (a few
 * microseconds), so the clock remembers the last stretch it saw without a
 * change, and callers cache what they derive from it.
 */
export class ZoneClock {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  // The last stretch of seconds read to share one offset: reads inside it skip Intl.
  #knownFrom = Number.NaN;
  #knownTo = Number.NaN;
  #knownOffset = Number.NaN;
  // The last change found: the edges of neighbouring windows ask for it again and again.
  #lastChange = Number.NaN;

  constructor(timeZone: string) {
    if (!isValidTimeZone(timeZone)) {
      throw new CostctlArgumentError(
        `costctl: unknown time zone ${JSON.stringify(timeZone)}: expected an IANA name such as "UTC", "Europe/Paris" or "America/New_York" (a fixed UTC+02:00 is "Etc/GMT-2")`,
      );
    }
    this.timeZone = timeZone;
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /**
   * The zone's UTC offset at `time` in ms (whole seconds: local mean times
   * before standard time had them, e.g. Paris +00:09:21 until 1911).
   *
   * @example
   * zoneClock('Asia/Kathmandu').offsetAt(Date.UTC(2026, 10, 23)) // 20_700_000 (+05:45)
   */
  offsetAt(time: number): number {
    const second = Math.floor(time / SECOND) * SECOND;
    if (second >= this.#knownFrom && second <= this.#knownTo) return this.#knownOffset;
    const offset = this.#read(second);
    // Two reads a probe or less apart with one offset have no change between them, so the stretch grows.
    const sameOffset = offset === this.#knownOffset;
    if (sameOffset && second > this.#knownTo && second - this.#knownTo <= PROBE_MS) this.#knownTo = second;
    else if (sameOffset && second < this.#knownFrom && this.#knownFrom - second <= PROBE_MS) this.#knownFrom = second;
    else {
      this.#knownFrom = second;
      this.#knownTo = second;
      this.#knownOffset = offset;
    }
    return offset;
  }

  #read(second: number): number {
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let seconds = 0;
    let beforeChrist = false;
    for (const part of this.#format.formatToParts(second)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          seconds = Number(part.value);
          break;
        case 'era':
          beforeChrist = part.value === 'BC';
          break;
      }
    }
    const days = daysFromCivil(beforeChrist ? 1 - year : year, month, day);
    return days * 86_400_000 + ((hour * 60 + minute) * 60 + seconds) * SECOND - second;
  }

  /**
   * The first instant in (`from`, `to`] whose offset is not `offset`, the
   * offset at `from`; undefined when the offset holds until `to`.
   *
   * @example
   * const clock = zoneClock('America/New_York');
   * clock.changeAfter(Date.UTC(2026, 2, 7), Date.UTC(2026, 2, 9), clock.offsetAt(Date.UTC(2026, 2, 7))) // Date.UTC(2026, 2, 8, 7)
   */
  changeAfter(from: number, to: number, offset: number): number | undefined {
    for (let low = from; low < to; ) {
      const high = Math.min(to, low + PROBE_MS);
      if (this.offsetAt(high) !== offset) return this.#firstSecond(low, high, offset, true);
      low = high;
    }
    return undefined;
  }

  /**
   * Where the stretch of `offset`, the offset at `to`, began, when that is
   * after `from`; undefined when the offset already held at `from`.
   *
   * @example
   * const clock = zoneClock('America/New_York');
   * clock.spanStart(Date.UTC(2026, 2, 7), Date.UTC(2026, 2, 9), clock.offsetAt(Date.UTC(2026, 2, 9))) // Date.UTC(2026, 2, 8, 7)
   */
  spanStart(from: number, to: number, offset: number): number | undefined {
    for (let high = to; high > from; ) {
      const low = Math.max(from, high - PROBE_MS);
      if (this.offsetAt(low) !== offset) return this.#firstSecond(low, high, offset, false);
      high = low;
    }
    return undefined;
  }

  // The first whole second after `low`, up to `high`, on the far side of the one offset change between them.
  #firstSecond(low: number, high: number, offset: number, lowHasOffset: boolean): number {
    if (this.#lastChange > low && this.#lastChange <= high) return this.#lastChange;
    let before = Math.floor(low / SECOND);
    let after = Math.floor(high / SECOND);
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2);
      if ((this.offsetAt(middle * SECOND) === offset) === lowHasOffset) before = middle;
      else after = middle;
    }
    this.#lastChange = after * SECOND;
    return this.#lastChange;
  }
}

const clocks = new Map<string, ZoneClock>();

/**
 * The shared clock of `timeZone`, created on first use.
 *
 * @throws CostctlArgumentError when `timeZone` is not valid (see isValidTimeZone).
 * @example
 * zoneClock('Europe/Paris').offsetAt(Date.UTC(2026, 6, 1)) // 7_200_000
 */
export function zoneClock(timeZone: string): ZoneClock {
  let clock = clocks.get(timeZone);
  if (clock === undefined) {
    clock = new ZoneClock(timeZone);
    clocks.set(timeZone, clock);
  }
  return clock;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), for any year.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
