/** The periods spend can be charted by. */
export const PERIODS = ['hour', 'day', 'month'] as const;
export type Period = (typeof PERIODS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How far back a chart reaches without --since: a screenful of bars. */
export const DEFAULT_SPAN: Record<Period, string> = { hour: '48h', day: '30d', month: '365d' };

/** The most bars one chart draws: a year of days. */
export const MAX_BARS = 366;

/**
 * Names the period a time falls in, in a time zone, so calendar days match
 * the budgets' windows: `2026-11-01 14:00`, `2026-11-01`, `2026-11`.
 *
 * @example
 * const periodOf = periodNamer('day', 'UTC');
 * periodOf(Date.parse('2026-11-01T23:30:00Z')) // '2026-11-01'
 */
export function periodNamer(period: Period, timeZone: string): (time: number) => string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
  return (time) => {
    const parts = Object.fromEntries(format.formatToParts(time).map((part) => [part.type, part.value]));
    const month = `${parts['year']}-${parts['month']}`;
    if (period === 'month') return month;
    return period === 'day' ? `${month}-${parts['day']}` : `${month}-${parts['day']} ${parts['hour']}:00`;
  };
}

/**
 * Every period from `start` to `end`, in order, empty ones included: a chart
 * shows the quiet days as well as the busy ones. Steps an hour at a time
 * (a day for months), so days of 23 or 25 hours are each named once.
 *
 * @example
 * periodsBetween(Date.parse('2026-11-01T00:00Z'), Date.parse('2026-11-03T00:00Z'), 'day', 'UTC') // ['2026-11-01', '2026-11-02', '2026-11-03']
 */
export function periodsBetween(start: number, end: number, period: Period, timeZone: string): string[] {
  const name = periodNamer(period, timeZone);
  const step = period === 'month' ? DAY : HOUR;
  const names: string[] = [];
  for (let time = start; time < end + step; time += step) {
    const label = name(Math.min(time, end));
    if (names.at(-1) !== label) names.push(label);
  }
  return names;
}

/** How many bars a chart from `start` to `end` would draw, roughly: enough to refuse one too long before drawing it. */
export function roughBars(start: number, end: number, period: Period): number {
  return Math.ceil((end - start) / { hour: HOUR, day: DAY, month: 30 * DAY }[period]);
}
