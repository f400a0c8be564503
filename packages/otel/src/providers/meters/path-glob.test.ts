import { describe, expect, it } from 'vitest';
import { pathGlob } from './path-glob.js';

describe('pathGlob', () => {
  it.each([
    ['/search*', '/search', true],
    ['/search*', '/search.json', true],
    ['/search*', '/search/deep', false],
    ['/search*', '/searches/x', false],
    ['/v1/*/speech', '/v1/abc/speech', true],
    ['/v1/*/speech', '/v1/a/b/speech', false],
    ['/v1/**', '/v1/a/b/c', true],
    ['/v1/**', '/v2/a', false],
    ['/**', '/', true],
    ['/geocode/json', '/geocode/json', true],
    ['/geocode/json', '/geocode/jsonp', false],
    ['/a.b', '/aXb', false],
    ['/price(1)', '/price(1)', true],
  ])('%s against %s is %j', (glob, path, expected) => {
    expect(pathGlob(glob).test(path)).toBe(expected);
  });
});
