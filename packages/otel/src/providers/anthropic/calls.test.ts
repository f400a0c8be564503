import { describe, expect, it } from 'vitest';
import { matchAnthropicCall } from './calls.js';

describe('matchAnthropicCall', () => {
  it.each(['/v1/messages', '/v1/messages/', '/gateway/anthropic/v1/messages'])('POST %s is a chat call', (path) => {
    expect(matchAnthropicCall('POST', path)).toEqual({ operation: 'chat', api: 'messages' });
  });

  it.each([
    ['POST', '/v1/messages/count_tokens'],
    ['POST', '/v1/messages/batches'],
    ['GET', '/v1/messages/batches/msgbatch_01/results'],
    ['GET', '/v1/messages'],
    ['GET', '/v1/models'],
    ['POST', '/v1/files'],
    ['POST', '/v1/complete'],
  ])('%s %s is not a billable call', (method, path) => {
    expect(matchAnthropicCall(method, path)).toBeUndefined();
  });
});
