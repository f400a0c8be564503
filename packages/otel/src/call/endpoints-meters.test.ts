import { describe, expect, it } from 'vitest';
import { EndpointMatcher } from './endpoints.js';

describe('EndpointMatcher with meters', () => {
  const matcher = new EndpointMatcher(
    [{ provider: 'openai', baseUrl: 'http://127.0.0.1:8080/v1' }],
    [
      { name: 'serpapi', host: 'serpapi.com', path: '/search*', method: 'GET', price: { perRequest: 0.01 } },
      // A meter on a known provider's host prices what the price data lacks, and wins over the provider.
      { name: 'openai-tts', host: 'api.openai.com', path: '/v1/audio/speech', price: { perRequest: 0.002 } },
      { name: 'regional', host: '*.search.example.net', path: '/v2/*', price: { perRequest: 0.001 } },
    ],
  );

  it('finds a metered call by host and path, the query string left out', () => {
    expect(matcher.match('GET', 'https://serpapi.com', 'serpapi.com', '/search.json?q=coffee&api_key=secret')).toMatchObject({
      adapter: { name: 'serpapi' },
      call: { api: 'meter' },
    });
  });

  it('finds a metered call on a host only a pattern names, and nothing else there', () => {
    expect(matcher.match('GET', 'https://eu.search.example.net', 'eu.search.example.net', '/v2/find')?.adapter.name).toBe('regional');
    expect(matcher.match('GET', 'https://eu.search.example.net', 'eu.search.example.net', '/v1/find')).toBeUndefined();
    expect(matcher.match('GET', 'https://eu.search.example.net', 'eu.search.example.net', '/v2/again')?.adapter.name).toBe('regional');
  });

  it('looks meters up before the providers, and leaves every other call to them', () => {
    expect(matcher.match('POST', 'https://api.openai.com', 'api.openai.com', '/v1/audio/speech')?.adapter.name).toBe('openai-tts');
    expect(matcher.match('POST', 'https://api.openai.com', 'api.openai.com', '/v1/chat/completions')?.adapter.name).toBe('openai');
    expect(matcher.match('POST', 'http://127.0.0.1:8080', '127.0.0.1:8080', '/v1/embeddings')?.adapter.name).toBe('openai');
    expect(matcher.match('GET', 'https://example.com', 'example.com', '/search.json')).toBeUndefined();
  });
});
