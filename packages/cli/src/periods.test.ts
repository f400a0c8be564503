import { describe, expect, it } from 'vitest';
import { periodNamer, periodsBetween } from './periods.js';

describe('chart periods', () => {
  it('names days in the configured time zone, as the budgets count them', () => {
    const at = Date.parse('2026-11-01T23:30:00Z');
    expect(periodNamer('day', 'UTC')(at)).toBe('2026-11-01');
    expect(periodNamer('day', 'Europe/Paris')(at)).toBe('2026-11-02');
    expect(periodNamer('hour', 'Asia/Kolkata')(at)).toBe('2026-11-02 05:00');
    expect(periodNamer('month', 'America/New_York')(Date.parse('2026-12-01T03:00:00Z'))).toBe('2026-11');
  });

  it('lists every period from start to end, empty ones included, each once across a change of clocks', () => {
    expect(periodsBetween(Date.parse('2026-11-01T12:00:00Z'), Date.parse('2026-11-04T01:00:00Z'), 'day', 'UTC')).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
    ]);
    // Paris leaves summer time on 2026-10-25: a day of 25 hours, named once.
    const autumn = periodsBetween(Date.parse('2026-10-24T12:00:00Z'), Date.parse('2026-10-26T12:00:00Z'), 'day', 'Europe/Paris');
    expect(autumn).toEqual(['2026-10-24', '2026-10-25', '2026-10-26']);
    // The hour 02:00 happens twice that night: one bar for both.
    const hours = periodsBetween(Date.parse('2026-10-24T23:00:00Z'), Date.parse('2026-10-25T02:00:00Z'), 'hour', 'Europe/Paris');
    expect(hours).toEqual(['2026-10-25 01:00', '2026-10-25 02:00', '2026-10-25 03:00']);
    expect(periodsBetween(Date.parse('2026-01-31T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z'), 'month', 'UTC')).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
    ]);
  });
});
