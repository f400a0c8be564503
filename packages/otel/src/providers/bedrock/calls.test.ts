import { describe, expect, it } from 'vitest';
import { bedrockModelId, matchBedrockCall } from './calls.js';

describe('matchBedrockCall', () => {
  it.each([
    ['/model/amazon.nova-lite-v1%3A0/converse', { operation: 'chat', api: 'converse', model: 'amazon.nova-lite-v1:0' }],
    ['/model/amazon.nova-lite-v1:0/converse-stream', { operation: 'chat', api: 'converse_stream', model: 'amazon.nova-lite-v1:0' }],
    ['/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke', { operation: 'chat', api: 'invoke', model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' }],
    [
      '/model/global.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream',
      { operation: 'chat', api: 'invoke_stream', model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' },
    ],
    ['/model/amazon.titan-embed-text-v2%3A0/invoke', { operation: 'embeddings', api: 'invoke', model: 'amazon.titan-embed-text-v2:0' }],
    ['/proxy/bedrock/model/meta.llama3-1-8b-instruct-v1%3A0/converse', { operation: 'chat', api: 'converse', model: 'meta.llama3-1-8b-instruct-v1:0' }],
    [
      '/model/arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0/converse',
      { operation: 'chat', api: 'converse', model: 'us.amazon.nova-pro-v1:0' },
    ],
    ['/openai/v1/chat/completions', { operation: 'chat', api: 'chat_completions' }],
  ])('reads POST %s', (path, call) => {
    expect(matchBedrockCall('POST', path)).toEqual(call);
  });

  it.each([
    ['GET', '/model/amazon.nova-lite-v1%3A0/converse'],
    ['POST', '/model/amazon.nova-lite-v1%3A0/count-tokens'],
    ['POST', '/async-invoke'],
    ['POST', '/guardrail/abc/version/1/apply'],
    ['POST', '/model//converse'],
    ['POST', '/openai/v1/embeddings'],
    ['GET', '/openai/v1/chat/completions'],
    ['POST', '/model/%E0%A4%A/converse'],
    ['POST', '/converse'],
  ])('ignores %s %s', (method, path) => {
    expect(matchBedrockCall(method, path)).toBeUndefined();
  });
});

describe('bedrockModelId', () => {
  it.each([
    ['anthropic.claude-3-haiku-20240307-v1%3A0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'us.anthropic.claude-sonnet-4-20250514-v1:0'],
    ['arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Famazon.nova-micro-v1%3A0', 'amazon.nova-micro-v1:0'],
    ['arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.amazon.nova-lite-v1%3A0', 'eu.amazon.nova-lite-v1:0'],
    [
      'arn%3Aaws-us-gov%3Abedrock%3Aus-gov-west-1%3A123456789012%3Ainference-profile%2Fus-gov.anthropic.claude-3-haiku-20240307-v1%3A0',
      'us-gov.anthropic.claude-3-haiku-20240307-v1:0',
    ],
    ['arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fk9x2m4p7q1', 'application-inference-profile/k9x2m4p7q1'],
    ['arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aprovisioned-model%2Fa1b2c3d4e5', 'provisioned-model/a1b2c3d4e5'],
  ])('reads %s as %s', (encoded, id) => {
    expect(bedrockModelId(encoded)).toBe(id);
  });
});
