import { describe, expect, it } from 'vitest';
import { MeterMatcher } from './matcher.js';

const meters = new MeterMatcher([
  { name: 'serpapi', host: 'serpapi.com', path: '/search*', method: 'GET', price: { perRequest: 0.01 } },
  { name: 'serpapi-account', host: 'serpapi.com', path: '/account*', price: { perRequest: 0 } },
  { name: 'maps', host: '*.maps.example', path: '/geocode/**', price: { perRequest: 0.005 } },
]);

describe('MeterMatcher', () => {
  it('finds a meter by host (any case, any port), method and path, in config order', () => {
    expect(meters.match('GET', 'serpapi.com', '/search.json')?.adapter.name).toBe('serpapi');
    expect(meters.match('GET', 'SerpAPI.com:443', '/search')?.adapter.name).toBe('serpapi');
    expect(meters.match('POST', 'serpapi.com', '/account.json')?.adapter.name).toBe('serpapi-account');
  });

  it('finds a meter on a host with * for one label', () => {
    expect(meters.match('GET', 'eu.maps.example', '/geocode/v1/json')).toMatchObject({ adapter: { name: 'maps' }, call: { operation: 'request' } });
    expect(meters.match('GET', 'a.b.maps.example', '/geocode/v1/json')).toBeUndefined();
  });

  it('finds none for another method, path or host', () => {
    expect(meters.match('POST', 'serpapi.com', '/search.json')).toBeUndefined();
    expect(meters.match('GET', 'serpapi.com', '/locations.json')).toBeUndefined();
    expect(meters.match('GET', 'api.openai.com', '/v1/chat/completions')).toBeUndefined();
    expect(meters.empty).toBe(false);
    expect(new MeterMatcher([]).empty).toBe(true);
  });

  it('tells which hosts have a meter, whatever the method and path', () => {
    expect(meters.serves('SerpAPI.com:443')).toBe(true);
    expect(meters.serves('eu.maps.example')).toBe(true);
    expect(meters.serves('a.b.maps.example')).toBe(false);
    expect(meters.serves('api.openai.com')).toBe(false);
  });
});
