import { describe, expect, it } from 'vitest';
import { EndpointMatcher } from './endpoints.js';

describe('EndpointMatcher', () => {
  const matcher = new EndpointMatcher([{ provider: 'anthropic', baseUrl: 'http://127.0.0.1:8080/proxy' }]);

  it('answers a request it has seen from what it found the first time, unchanged', () => {
    const first = matcher.match('POST', 'https://api.openai.com', 'api.openai.com', '/v1/chat/completions');
    const again = matcher.match('POST', 'https://api.openai.com', 'api.openai.com', '/v1/chat/completions?x=1');
    expect(first?.adapter.name).toBe('openai');
    expect(again).toBe(first);
    expect(Object.isFrozen(again)).toBe(true);
  });

  it('tells apart requests that differ only in method, origin or path', () => {
    expect(matcher.match('GET', 'https://api.openai.com', 'api.openai.com', '/v1/chat/completions')).toBeUndefined();
    expect(matcher.match('POST', 'http://127.0.0.1:8080', '127.0.0.1:8080', '/proxy/v1/messages')?.adapter.name).toBe('anthropic');
    expect(matcher.match('POST', 'http://127.0.0.1:8081', '127.0.0.1:8081', '/proxy/v1/messages')).toBeUndefined();
    expect(matcher.match('POST', 'http://127.0.0.1:8080', '127.0.0.1:8080', '/other/v1/messages')).toBeUndefined();
  });

  it('looks an origin seen with another host up afresh', () => {
    // A base URL's origin with a provider's Host header: the host decides, not what the origin answered before.
    expect(matcher.match('POST', 'http://127.0.0.1:8080', 'api.openai.com', '/v1/chat/completions')?.adapter.name).toBe('openai');
    expect(matcher.match('POST', 'http://127.0.0.1:8080', '127.0.0.1:8080', '/v1/chat/completions')).toBeUndefined();
    expect(matcher.match('POST', 'http://127.0.0.1:8080', 'api.openai.com', '/v1/chat/completions')?.adapter.name).toBe('openai');
  });

  it('keeps answering right past the number of origins it remembers', () => {
    for (let i = 0; i < 600; i++) {
      expect(matcher.match('POST', `https://host-${i}.example.com`, `host-${i}.example.com`, '/v1/chat/completions')).toBeUndefined();
      expect(matcher.match('POST', 'http://127.0.0.1:8080', '127.0.0.1:8080', '/proxy/v1/messages')?.adapter.name).toBe('anthropic');
    }
  });

  it('keeps answering right past the number of requests it remembers', () => {
    for (let i = 0; i < 1_200; i++) {
      expect(matcher.match('POST', 'https://example.com', 'example.com', `/v1/items/${i}`)).toBeUndefined();
      expect(matcher.match('POST', 'https://api.anthropic.com', 'api.anthropic.com', '/v1/messages')?.adapter.name).toBe('anthropic');
    }
  });
});
