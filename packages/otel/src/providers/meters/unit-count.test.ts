import { describe, expect, it } from 'vitest';
import { headerCount, unitCount, valueAt } from './unit-count.js';

describe('unitCount', () => {
  it.each([
    [12, 12],
    [0, 0],
    [12.5, 12.5],
    ['31.2', 31.2],
    [' 7 ', 7],
    [[1, 2, 3], 3],
  ])('%j counts %j', (value, count) => {
    expect(unitCount(value)).toBe(count);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '', 'n/a', '12, 13', null, undefined, {}, true])('%j is no count', (value) => {
    expect(unitCount(value)).toBeUndefined();
  });
});

describe('valueAt', () => {
  it('walks objects and array indexes', () => {
    const body = { results: [{ duration: 3.5 }, { duration: 4 }], usage: { characters: 42 } };
    expect(valueAt(body, ['usage', 'characters'])).toBe(42);
    expect(valueAt(body, ['results', '1', 'duration'])).toBe(4);
    expect(valueAt(body, ['results'])).toEqual(body.results);
  });

  it('gives undefined for a path that is not there, and never reads inherited keys', () => {
    expect(valueAt({ usage: {} }, ['usage', 'characters'])).toBeUndefined();
    expect(valueAt({ a: 1 }, ['a', 'b'])).toBeUndefined();
    expect(valueAt({}, ['constructor'])).toBeUndefined();
    expect(valueAt([1], ['x'])).toBeUndefined();
  });
});

describe('headerCount', () => {
  it('reads a header by its lower-case name', () => {
    const headers: Record<string, string> = { 'x-audio-seconds': '31.2' };
    expect(headerCount((name) => headers[name], 'X-Audio-Seconds')).toBe(31.2);
    expect(headerCount((name) => headers[name], 'x-characters')).toBeUndefined();
    expect(headerCount(undefined, 'x-audio-seconds')).toBeUndefined();
  });
});
