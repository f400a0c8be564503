import http from 'node:http';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { mergedOptions, requestTarget, socketSource, withOptions } from './node-http-target.js';

const target = (args: unknown[], secure = false) => requestTarget(mergedOptions(args)!, secure);

describe('requestTarget', () => {
  it('reads a URL string the way URL.origin and URL.host write it', () => {
    expect(target(['https://API.OpenAI.com/v1/chat/completions?x=1', { method: 'post' }], true)).toEqual({
      method: 'POST',
      origin: 'https://api.openai.com',
      host: 'api.openai.com',
      path: '/v1/chat/completions?x=1',
    });
    expect(target([new URL('http://127.0.0.1:8080/v1/messages')])).toEqual({
      method: 'GET',
      origin: 'http://127.0.0.1:8080',
      host: '127.0.0.1:8080',
      path: '/v1/messages',
    });
  });

  it('lets the options object override the URL, as Node merges them', () => {
    expect(target(['http://a.example/v1', { hostname: 'b.example', port: 9000, path: '/v2' }])).toMatchObject({ origin: 'http://b.example:9000', path: '/v2' });
  });

  it('reads an options object as axios and the AWS SDK pass it, defaults included', () => {
    expect(target([{ hostname: 'api.anthropic.com', path: '/v1/messages', method: 'POST' }], true)).toMatchObject({
      origin: 'https://api.anthropic.com',
      host: 'api.anthropic.com',
    });
    expect(target([{ host: 'localhost', port: '443', protocol: 'https:' }], true)).toMatchObject({ origin: 'https://localhost', path: '/' });
    expect(target([{}])).toMatchObject({ origin: 'http://localhost', method: 'GET', path: '/' });
  });

  it('brackets an IPv6 host and keeps a non-default port', () => {
    expect(target([{ hostname: '::1', port: 8443, protocol: 'https:' }], true)).toMatchObject({ origin: 'https://[::1]:8443', host: '[::1]:8443' });
  });

  it("takes the port from the app's agent when the options name none", () => {
    const agent = Object.assign(new http.Agent(), { defaultPort: 8080 });
    expect(target([{ hostname: 'h.example', agent }])).toMatchObject({ origin: 'http://h.example:8080' });
  });

  it('reads the real target of a request to a forward proxy (absolute-form path)', () => {
    expect(target([{ hostname: 'proxy.internal', port: 3128, path: 'https://api.openai.com/v1/embeddings', method: 'POST' }])).toMatchObject({
      origin: 'https://api.openai.com',
      path: '/v1/embeddings',
    });
  });

  it('leaves Unix-socket requests and arguments Node rejects alone', () => {
    expect(target([{ socketPath: '/tmp/s.sock', path: '/v1/chat/completions' }])).toBeUndefined();
    expect(mergedOptions(['not a url'])).toBeUndefined();
    expect(mergedOptions([undefined])).toBeUndefined();
  });
});

describe('socketSource', () => {
  it('is the agent Node would use: the app’s, a fresh one for agent:false, or the global one', () => {
    const agent = new http.Agent();
    expect(socketSource({ agent }, false)).toEqual({ kind: 'agent', agent });
    expect(socketSource({}, false)).toEqual({ kind: 'agent', agent: http.globalAgent });
    expect(socketSource({ _defaultAgent: agent }, false)).toEqual({ kind: 'agent', agent });
    expect(socketSource({ _defaultAgent: agent }, true)).toEqual({ kind: 'agent', agent: https.globalAgent });
    const fresh = socketSource({ agent: false }, true);
    expect(fresh?.kind === 'agent' && fresh.agent).toBeInstanceOf(https.Agent);
    expect(fresh?.kind === 'agent' && fresh.agent).not.toBe(https.globalAgent);
  });

  it("is the app's createConnection when there is no agent, and nothing for an agent Node rejects", () => {
    const createConnection = () => undefined;
    expect(socketSource({ createConnection }, false)).toEqual({ kind: 'createConnection', createConnection });
    expect(socketSource({ agent: {} }, false)).toBeUndefined();
  });
});

describe('withOptions', () => {
  const cb = () => {};
  it('merges into the options argument without touching the app’s object', () => {
    const options = { method: 'POST' };
    expect(withOptions(['http://x/', options, cb], { agent: 1 })).toEqual(['http://x/', { method: 'POST', agent: 1 }, cb]);
    expect(options).toEqual({ method: 'POST' });
    expect(withOptions([options, cb], { agent: 1 })).toEqual([{ method: 'POST', agent: 1 }, cb]);
  });

  it('adds an options argument after a URL given alone or with a callback', () => {
    const url = new URL('http://x/');
    expect(withOptions([url, cb], { agent: 1 })).toEqual([url, { agent: 1 }, cb]);
    expect(withOptions(['http://x/'], { agent: 1 })).toEqual(['http://x/', { agent: 1 }]);
  });
});

describe('mergedOptions of a URL string seen before', () => {
  it('gives each request options of its own, equal to the first', () => {
    const url = 'https://api.openai.com:8443/v1/chat/completions?x=1';
    const first = mergedOptions([url, { method: 'POST' }])!;
    first.hostname = 'changed';
    first.path = '/changed';
    expect(mergedOptions([url])).toEqual({ protocol: 'https:', hostname: 'api.openai.com', port: 8443, path: '/v1/chat/completions?x=1' });
  });

  it('reads every URL right past the number it remembers', () => {
    for (let i = 0; i < 1_200; i++) {
      expect(mergedOptions([`http://[::1]:${1000 + i}/v1/items/${i}`])).toEqual({ protocol: 'http:', hostname: '::1', port: 1000 + i, path: `/v1/items/${i}` });
      expect(mergedOptions(['not a url'])).toBeUndefined();
    }
  });
});
