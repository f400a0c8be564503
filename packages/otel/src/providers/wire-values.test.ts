import { describe, expect, it } from 'vitest';
import { countAt, isRecord, parseJson, recordAt, stringAt, toCount } from './wire-values.js';

describe('wire values', () => {
  it.each([
    [12, 12],
    [0, 0],
    [12.4, 12],
    ['12', undefined],
    [-3, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [1e300, undefined],
    [null, undefined],
    [true, undefined],
    [{}, undefined],
  ])('toCount(%j) is %j', (value, expected) => {
    expect(toCount(value)).toBe(expected);
  });

  it('reads typed fields and answers undefined for the wrong type', () => {
    const record = { usage: { n: 1 }, model: 'm', list: [1], n: 5, s: '5' };
    expect(recordAt(record, 'usage')).toEqual({ n: 1 });
    expect(recordAt(record, 'list')).toBeUndefined();
    expect(recordAt(undefined, 'usage')).toBeUndefined();
    expect(stringAt(record, 'model')).toBe('m');
    expect(stringAt(record, 'n')).toBeUndefined();
    expect(countAt(record, 'n')).toBe(5);
    expect(countAt(record, 's')).toBeUndefined();
  });

  it('tells objects from arrays and null', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord('x')).toBe(false);
  });

  it('parses JSON without throwing', () => {
    expect(parseJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseJson('{')).toBeUndefined();
  });
});
