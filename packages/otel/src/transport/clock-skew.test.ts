import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger, setLogger } from '../logger.js';
import { checkClockSkew } from './clock-skew.js';

const lines: string[] = [];
afterEach(() => {
  lines.length = 0;
  setLogger(jsonLogger('info'));
});

describe('checkClockSkew', () => {
  it('warns once when a provider clock differs by more than a minute, saying which way and what to do', () => {
    setLogger(jsonLogger('info', (line) => lines.push(line)));
    const now = Date.parse('2026-11-23T10:02:00Z');
    checkClockSkew('skewed-a', 'Mon, 23 Nov 2026 10:00:00 GMT', now);
    checkClockSkew('skewed-a', 'Mon, 23 Nov 2026 10:00:00 GMT', now + 1000);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'warn',
      msg: "the local clock is 120 s ahead of skewed-a's; budget windows may be attributed wrongly: sync this host's clock (NTP)",
      skewSeconds: 120,
    });
  });

  it('stays quiet within a minute, and on a missing or bad header', () => {
    setLogger(jsonLogger('info', (line) => lines.push(line)));
    const now = Date.parse('2026-11-23T10:00:59Z');
    checkClockSkew('skewed-b', 'Mon, 23 Nov 2026 10:00:00 GMT', now);
    checkClockSkew('skewed-b', undefined, now);
    checkClockSkew('skewed-b', 'yesterday', now);
    expect(lines).toEqual([]);
  });
});
