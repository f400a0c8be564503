import { describe, expect, it } from 'vitest';
import { matchCohereCall } from './calls.js';

describe('matchCohereCall', () => {
  it.each([
    ['/v2/chat', { operation: 'chat', api: 'chat' }],
    ['/v2/chat/', { operation: 'chat', api: 'chat' }],
    ['/proxy/cohere/v2/chat', { operation: 'chat', api: 'chat' }],
    ['/v2/embed', { operation: 'embeddings', api: 'embed' }],
    ['/v1/chat', { operation: 'chat', api: 'chat_v1' }],
    ['/v1/embed', { operation: 'embeddings', api: 'embed' }],
    ['/v2/rerank', { operation: 'rerank', api: 'rerank' }],
    ['/v1/rerank', { operation: 'rerank', api: 'rerank' }],
  ])('POST %s is %j', (path, call) => {
    expect(matchCohereCall('POST', path)).toEqual(call);
    expect(matchCohereCall('post', path)).toEqual(call);
  });

  it.each([
    ['GET', '/v2/chat'],
    ['POST', '/v1/classify'],
    ['POST', '/v1/generate'],
    ['POST', '/v1/embed-jobs'],
    ['GET', '/v1/models'],
    ['POST', '/v2/embedding'],
    ['POST', ''],
  ])('%s %s is not a billable call', (method, path) => {
    expect(matchCohereCall(method, path)).toBeUndefined();
  });
});
