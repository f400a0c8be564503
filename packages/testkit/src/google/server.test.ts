import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CANNED_REPLY, expectedUsage } from '../usage.js';
import type { FakeCloud } from '../cloud/fake-server.js';
import { startFakeGoogle } from './server.js';
import { expectedGeminiEmbedUsage, expectedGeminiUsage, expectedVertexPredictTokens } from './usage.js';

let google: FakeCloud;
let gemini: GoogleGenAI;
let vertex: GoogleGenAI;

beforeAll(async () => {
  google = await startFakeGoogle({ holdOpenMs: 50 });
  gemini = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: google.url } });
  // A project and an API key: the full Vertex AI paths, with no Google credentials looked up.
  vertex = new GoogleGenAI({ vertexai: true, project: 'cost-demo', location: 'us-central1', apiKey: 'vertex-test-key', httpOptions: { baseUrl: google.url } });
});
beforeEach(() => google.reset());
afterAll(() => google.close());

const contents = 'What does a runaway retry loop cost?';
/** The body @google/genai sends for `contents` and `config`, for the usage formula. */
const wireBody = (config: Record<string, unknown> = {}) => ({ contents: [{ role: 'user', parts: [{ text: contents }] }], generationConfig: config });

describe('Gemini API', () => {
  it('answers generateContent with the canned reply, thoughts reported outside the candidates', async () => {
    const config = { maxOutputTokens: 6, thinkingConfig: { thinkingBudget: 32 } };
    const response = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents, config });
    expect(response.text).toBe(CANNED_REPLY.split(' ').slice(0, 6).join(' '));
    expect(response.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(response.usageMetadata).toEqual(expectedGeminiUsage(wireBody(config)));
    expect(response.usageMetadata).toMatchObject({ candidatesTokenCount: 6, thoughtsTokenCount: 32, totalTokenCount: 9 + 6 + 32 });
    expect(response.modelVersion).toBe('gemini-2.5-flash');
    expect(google.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/models/gemini-2.5-flash:generateContent',
        api: 'google.generateContent',
        model: 'gemini-2.5-flash',
        stream: false,
        scenario: 'normal',
        status: 200,
      },
    ]);
  });

  it('streams SSE chunks whose usage is cumulative, the last one final', async () => {
    const chunks = [];
    for await (const chunk of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents })) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(CANNED_REPLY);
    expect(chunks.map((chunk) => chunk.usageMetadata?.candidatesTokenCount)).toEqual([3, 6, 9, 12, 15, 18, 21, 24]);
    expect(chunks.at(-1)?.usageMetadata).toEqual(expectedGeminiUsage(wireBody()));
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('streams one JSON array, chunk by chunk, without alt=sse', async () => {
    const response = await fetch(`${google.url}/v1beta/models/gemini-2.0-flash:streamGenerateContent`, {
      method: 'POST',
      body: JSON.stringify(wireBody({ maxOutputTokens: 7 })),
    });
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const chunks = JSON.parse(await response.text()) as { usageMetadata: object }[];
    expect(chunks).toHaveLength(3);
    expect(chunks.at(-1)?.usageMetadata).toEqual(expectedGeminiUsage(wireBody({ maxOutputTokens: 7 })));
  });

  it('embeds in a batch and reports the prompt tokens', async () => {
    const response = await gemini.models.embedContent({ model: 'gemini-embedding-001', contents: ['budget', 'gate and ledger'] });
    expect(response.embeddings).toHaveLength(2);
    const body = { requests: [{ content: { parts: [{ text: 'budget' }] } }, { content: { parts: [{ text: 'gate and ledger' }] } }] };
    expect(response.usageMetadata).toEqual(expectedGeminiEmbedUsage(body));
    expect(google.requests[0]).toMatchObject({ path: '/v1/models/gemini-embedding-001:batchEmbedContents', api: 'google.batchEmbedContents' });
  });

  it('raises the status of an error scenario as an ApiError, and an in-stream error mid-stream', async () => {
    const error = await gemini.models.generateContent({ model: 'gemini-2.5-flash+error-429', contents }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, message: expect.stringContaining('RESOURCE_EXHAUSTED') });
    const texts: string[] = [];
    const streamed = await (async () => {
      for await (const chunk of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash+stream-error', contents })) texts.push(chunk.text ?? '');
    })().catch((caught: unknown) => caught);
    expect(streamed).toMatchObject({ status: 500 });
    expect(texts).toHaveLength(4);
    expect(google.requests.map((request) => [request.scenario, request.status])).toEqual([
      ['error-429', 429],
      ['stream-error', 200],
    ]);
  });

  it('cuts a stream before its last chunk in the cut scenario', async () => {
    const response = await fetch(`${google.url}/scenario/cut/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      body: JSON.stringify(wireBody()),
    });
    const error = await response.text().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(google.requests[0]).toMatchObject({ scenario: 'cut', stream: true });
  });
});

describe('Vertex AI', () => {
  it('answers Gemini on the project path, usage only in the last chunk of a stream', async () => {
    const chunks = [];
    for await (const chunk of await vertex.models.generateContentStream({ model: 'gemini-2.5-pro', contents })) chunks.push(chunk);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usageMetadata?.promptTokenCount === undefined)).toBe(true);
    expect(chunks.at(-1)?.usageMetadata).toMatchObject({ ...expectedGeminiUsage(wireBody()), trafficType: 'ON_DEMAND' });
    expect(google.requests[0]).toMatchObject({
      path: '/v1beta1/projects/cost-demo/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent',
      model: 'gemini-2.5-pro',
    });
  });

  it('answers text embeddings on :predict, as @google/genai asks for them on Vertex AI, with a token count per prediction', async () => {
    const texts = ['weekly spend', 'search budget per tenant'];
    const response = await vertex.models.embedContent({ model: 'text-embedding-005', contents: texts });
    expect(response.embeddings?.map((embedding) => embedding.statistics?.tokenCount)).toEqual(
      expectedVertexPredictTokens({ instances: texts.map((content) => ({ content })) }),
    );
    expect(response.embeddings?.map((embedding) => embedding.statistics?.tokenCount)).toEqual([3, 6]);
    expect(response.metadata).toEqual({ billableCharacterCount: 12 + 24 });
    expect(google.requests[0]).toMatchObject({
      path: '/v1beta1/projects/cost-demo/locations/us-central1/publishers/google/models/text-embedding-005:predict',
      api: 'google.predict',
    });
  });

  it('answers Imagen on :predict with the images asked for, as @google/genai asks for them', async () => {
    const response = await vertex.models.generateImages({ model: 'imagen-4.0-generate-001', prompt: 'a budget gate', config: { numberOfImages: 3 } });
    expect(response.generatedImages?.map((image) => image.image?.mimeType)).toEqual(['image/png', 'image/png', 'image/png']);
    expect(google.requests[0]).toMatchObject({ path: expect.stringMatching(/\/imagen-4\.0-generate-001:predict$/), api: 'google.predict' });
  });

  it("answers OpenAI's Chat Completions on the OpenAI-compatible endpoint, JSON and SSE, the model from the body", async () => {
    const url = `${google.url}/v1/projects/cost-demo/locations/us-central1/endpoints/openapi/chat/completions`;
    const body = { model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: contents }] };
    const completion = (await (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json()) as { model: string; usage: object };
    expect(completion).toMatchObject({ model: 'google/gemini-2.5-flash', usage: expectedUsage('openai.chat', body) });
    const stream = await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await stream.text()).toMatch(/data: \[DONE\]\n\n$/);
    expect(google.requests.map((request) => [request.api, request.model, request.stream])).toEqual([
      ['openai.chat', 'google/gemini-2.5-flash', false],
      ['openai.chat', 'google/gemini-2.5-flash', true],
    ]);
  });

  it("answers Claude's rawPredict and streamRawPredict in Anthropic's formats", async () => {
    const base = `${google.url}/v1/projects/cost-demo/locations/us-east5/publishers/anthropic/models/claude-haiku-4-5@20251001`;
    const body = { anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: [{ role: 'user', content: contents }] };
    const message = (await (await fetch(`${base}:rawPredict`, { method: 'POST', body: JSON.stringify(body) })).json()) as { model: string; usage: object };
    expect(message).toMatchObject({ model: 'claude-haiku-4-5@20251001', usage: expectedUsage('anthropic.messages', body) });
    const stream = await fetch(`${base}:streamRawPredict`, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await stream.text()).toContain('event: message_stop');
    const missing = await fetch(`${base}:predict`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
  });
});
