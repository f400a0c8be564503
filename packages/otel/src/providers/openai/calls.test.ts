import { describe, expect, it } from 'vitest';
import { matchOpenAiCall } from './calls.js';

describe('matchOpenAiCall', () => {
  it.each([
    ['/v1/chat/completions', { operation: 'chat', api: 'chat_completions' }],
    ['/proxy/openai/v1/chat/completions', { operation: 'chat', api: 'chat_completions' }],
    ['/openai/deployments/gpt-4o/chat/completions', { operation: 'chat', api: 'chat_completions' }],
    ['/v1/chat/completions/', { operation: 'chat', api: 'chat_completions' }],
    ['/v1/responses', { operation: 'chat', api: 'responses' }],
    ['/v1/embeddings', { operation: 'embeddings', api: 'embeddings' }],
    ['/v1/completions', { operation: 'text_completion', api: 'completions' }],
    ['/completions', { operation: 'text_completion', api: 'completions' }],
  ])('POST %s is %j', (path, call) => {
    expect(matchOpenAiCall('POST', path)).toEqual(call);
  });

  it('accepts the method in any case', () => {
    expect(matchOpenAiCall('post', '/v1/embeddings')).toEqual({ operation: 'embeddings', api: 'embeddings' });
  });

  it.each([
    ['GET', '/v1/models'],
    ['GET', '/v1/chat/completions'],
    ['POST', '/v1/files'],
    ['POST', '/v1/responses/resp_123/cancel'],
    ['GET', '/v1/responses/resp_123'],
    ['POST', '/v1/responses/input_tokens'],
    ['POST', '/v1/chat/completions/chatcmpl-1'],
    ['POST', '/v1/my_embeddings'],
    ['POST', '/v1/audio/speech'],
    ['POST', ''],
  ])('%s %s is not a billable call', (method, path) => {
    expect(matchOpenAiCall(method, path)).toBeUndefined();
  });
});
