import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from './nearest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['labels', 'labels', 0],
    ['lables', 'labels', 1],
    ['label', 'labels', 1],
    ['lbels', 'labels', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('nearest', () => {
  const variables = ['COSTCTL_DAILY_LIMIT_USD', 'COSTCTL_MONTHLY_LIMIT_USD', 'COSTCTL_LABELS', 'COSTCTL_STATE_DIR'];

  it('finds the name meant, whatever the case', () => {
    expect(nearest('COSTCTL_DAYLY_LIMIT_USD', variables)).toBe('COSTCTL_DAILY_LIMIT_USD');
    expect(nearest('COSTCTL_DAILY_LIMIT', variables)).toBe('COSTCTL_DAILY_LIMIT_USD');
    expect(nearest('costctl_label', variables)).toBe('COSTCTL_LABELS');
    expect(nearest('windw', ['name', 'limit', 'window'])).toBe('window');
  });

  it('suggests nothing when no name is close', () => {
    expect(nearest('COSTCTL_EVERYTHING', variables)).toBeUndefined();
    expect(nearest('foo', ['name', 'limit', 'window'])).toBeUndefined();
  });
});
