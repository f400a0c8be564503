import { describe, expect, it } from 'vitest';
import { matchGeminiCall, matchVertexCall } from './calls.js';

describe('matchGeminiCall', () => {
  it.each([
    ['/v1beta/models/gemini-2.5-flash:generateContent', { operation: 'generate_content', api: 'generate_content', model: 'gemini-2.5-flash' }],
    ['/v1beta/models/gemini-2.5-pro:streamGenerateContent', { operation: 'generate_content', api: 'stream_generate_content', model: 'gemini-2.5-pro' }],
    ['/v1/models/gemini-embedding-001:embedContent', { operation: 'embeddings', api: 'embed_content', model: 'gemini-embedding-001' }],
    ['/v1beta/models/gemini-embedding-001:batchEmbedContents', { operation: 'embeddings', api: 'embed_content', model: 'gemini-embedding-001' }],
    [
      '/gemini-proxy/v1beta/models/gemini-2.0-flash-001%3Alatest:generateContent',
      { operation: 'generate_content', api: 'generate_content', model: 'gemini-2.0-flash-001:latest' },
    ],
    // Batch Mode: counted, billed later.
    ['/v1beta/models/gemini-2.5-flash:batchGenerateContent', { operation: 'batch', api: 'batch_generate_content', model: 'gemini-2.5-flash' }],
  ])('reads POST %s', (path, call) => {
    expect(matchGeminiCall('POST', path)).toEqual(call);
  });

  it.each([
    ['GET', '/v1beta/models/gemini-2.5-flash'],
    ['POST', '/v1beta/models/gemini-2.5-flash:countTokens'],
    ['POST', '/v1beta/cachedContents'],
    ['POST', '/v1beta/models/:generateContent'],
    ['POST', '/v1beta/tunedModels/my-model:generateContent'],
    ['POST', '/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-flash:generateContent'.replace('/models/', '/modelz/')],
  ])('ignores %s %s', (method, path) => {
    expect(matchGeminiCall(method, path)).toBeUndefined();
  });
});

describe('matchVertexCall', () => {
  const base = '/v1/projects/cost-demo/locations/us-central1';
  it.each([
    [
      `${base}/publishers/google/models/gemini-2.5-flash:generateContent`,
      { operation: 'generate_content', api: 'generate_content', model: 'gemini-2.5-flash' },
    ],
    [
      `${base}/publishers/google/models/gemini-2.5-flash:streamGenerateContent`,
      { operation: 'generate_content', api: 'stream_generate_content', model: 'gemini-2.5-flash' },
    ],
    [
      '/v1/publishers/google/models/gemini-2.5-flash-lite:generateContent',
      { operation: 'generate_content', api: 'generate_content', model: 'gemini-2.5-flash-lite' },
    ],
    [`${base}/publishers/google/models/gemini-embedding-001:embedContent`, { operation: 'embeddings', api: 'embed_content', model: 'gemini-embedding-001' }],
    [`${base}/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`, { operation: 'chat', api: 'messages', model: 'claude-sonnet-4-5@20250929' }],
    [
      `${base}/publishers/anthropic/models/claude-haiku-4-5@20251001:streamRawPredict`,
      { operation: 'chat', api: 'messages_stream', model: 'claude-haiku-4-5@20251001' },
    ],
    [`${base}/endpoints/4817593725023:generateContent`, { operation: 'generate_content', api: 'generate_content' }],
    [`${base}/publishers/google/models/text-embedding-005:predict`, { operation: 'embeddings', api: 'predict_embeddings', model: 'text-embedding-005' }],
    [`${base}/publishers/google/models/gemini-embedding-001:predict`, { operation: 'embeddings', api: 'predict_embeddings', model: 'gemini-embedding-001' }],
    [
      `${base}/publishers/google/models/textembedding-gecko@003:predict`,
      { operation: 'embeddings', api: 'predict_embeddings', model: 'textembedding-gecko@003' },
    ],
    [
      `${base}/publishers/google/models/imagen-4.0-generate-001:predict`,
      { operation: 'image_generation', api: 'predict_images', model: 'imagen-4.0-generate-001' },
    ],
    [`${base}/endpoints/openapi/chat/completions`, { operation: 'chat', api: 'chat_completions' }],
    ['/v1beta1/projects/p/locations/global/endpoints/openapi/chat/completions/', { operation: 'chat', api: 'chat_completions' }],
  ])('reads POST %s', (path, call) => {
    expect(matchVertexCall('POST', path)).toEqual(call);
  });

  it.each([
    `${base}/publishers/google/models/gemini-2.5-flash:countTokens`,
    `${base}/publishers/anthropic/models/count-tokens:rawPredict`,
    `${base}/publishers/anthropic/models/claude-sonnet-4-5@20250929:generateContent`,
    `${base}/publishers/meta/models/llama-4-maverick-17b-128e-instruct-maas:rawPredict`,
    // Other :predict models answer in shapes of their own.
    `${base}/publishers/google/models/veo-3.0-generate-001:predict`,
    `${base}/publishers/anthropic/models/claude-embedding:predict`,
    `${base}/endpoints/4817593725023:embedContent`,
    `${base}/models/gemini-2.5-flash:generateContent`,
    `${base}/endpoints/openapi/embeddings`,
    `${base}/endpoints/openapi/chat/completions/extra`,
  ])('ignores POST %s', (path) => {
    expect(matchVertexCall('POST', path)).toBeUndefined();
  });
});
