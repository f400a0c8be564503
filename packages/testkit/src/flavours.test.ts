import { Mistral } from '@mistralai/mistralai';
import Groq from 'groq-sdk';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeProvider,
  type Flavour,
  REASONING_TOKENS,
  expectedReportedCost,
  expectedTokens,
  flavourUrl,
  flavourUsage,
  startFakeProvider,
  withScenario,
} from './index.js';

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider();
});
beforeEach(() => provider.reset());
afterAll(() => provider.close());

const messages = [{ role: 'user' as const, content: 'Which cost controls stop a runaway agent?' }];
const openaiAt = (flavour: Flavour, path: string) => new OpenAI({ apiKey: 'test-key', baseURL: `${flavourUrl(provider.url, flavour)}${path}`, maxRetries: 0 });

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** The raw bytes of an answer, for what the clients hide (comments, whitespace, key order). */
async function raw(flavour: Flavour, path: string, body: object): Promise<{ status: number; text: string }> {
  const response = await fetch(`${flavourUrl(provider.url, flavour)}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('the azure flavour, through AzureOpenAI', () => {
  const client = () =>
    new AzureOpenAI({ apiKey: 'k', endpoint: flavourUrl(provider.url, 'azure'), apiVersion: '2024-10-21', deployment: 'chat-prod', maxRetries: 0 });

  it('answers at the deployment path with content-filter results and Azure model names', async () => {
    const body = { model: 'gpt-4o-mini', messages, prompt_cache_key: 'tenant-1' };
    const completion = await client().chat.completions.create(body);

    expect(provider.requests[0]?.path).toBe('/flavour/azure/openai/deployments/chat-prod/chat/completions');
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    expect(completion).toHaveProperty('prompt_filter_results');
    expect(completion.choices[0]).toHaveProperty('content_filter_results');
    expect(completion.usage).toEqual(flavourUsage('azure', 'openai.chat', body));
  });

  it('streams a first chunk with no id and no model, then the usage chunk when asked', async () => {
    const chunks = await collect(
      await client().chat.completions.create({ model: 'gpt-5-chat', messages, stream: true, stream_options: { include_usage: true } }),
    );
    expect(chunks[0]).toMatchObject({ id: '', model: '', choices: [] });
    expect(chunks[1]?.model).toBe('gpt-5-chat-2025-08-07');
    expect(chunks.at(-1)?.usage?.prompt_tokens).toBe(expectedTokens('azure', 'openai.chat', { messages }).input);
  });
});

describe('the mistral flavour, through @mistralai/mistralai', () => {
  const mistral = () => new Mistral({ apiKey: 'k', serverURL: flavourUrl(provider.url, 'mistral') });

  it('answers chat, FIM and embeddings in Mistral shapes', async () => {
    const chat = await mistral().chat.complete({ model: 'mistral-small-latest', messages, promptCacheKey: 'tenant-1' });
    const fim = await mistral().fim.complete({ model: 'codestral-latest', prompt: 'def add(a, b):', suffix: 'print(add(1, 2))', maxTokens: 6 });
    const embeddings = await mistral().embeddings.create({ model: 'mistral-embed', inputs: ['budget', 'gate'] });

    const tokens = expectedTokens('mistral', 'openai.chat', { messages, prompt_cache_key: 'tenant-1' });
    // The client keeps fields its schema does not name as they came.
    expect(chat.usage).toMatchObject({
      promptTokens: tokens.input,
      completionTokens: tokens.output,
      prompt_tokens_details: { cached_tokens: tokens.cacheRead },
    });
    expect(fim.usage).toMatchObject({ promptTokens: Math.ceil(30 / 4), completionTokens: 6 });
    expect(fim.choices[0]?.finishReason).toBe('length');
    expect(embeddings.usage).toMatchObject({
      promptTokens: expectedTokens('mistral', 'openai.embeddings', { input: ['budget', 'gate'] }).input,
      completionTokens: 0,
    });
    expect(provider.requests.map((request) => request.api)).toEqual(['openai.chat', 'mistral.fim', 'openai.embeddings']);
  });

  it('puts usage in the last chunk of every stream, asked or not', async () => {
    const events = await collect(await mistral().chat.stream({ model: 'mistral-small-latest', messages }));
    expect(events.at(-1)?.data.usage).toMatchObject({ promptTokens: expectedTokens('mistral', 'openai.chat', { messages }).input });
    expect(events.slice(0, -1).every((event) => event.data.usage === undefined)).toBe(true);
  });

  it('answers errors as {"object":"error",…}', async () => {
    const answer = await raw('mistral', '/v1/chat/completions', { model: withScenario('mistral-small-latest', 'error-429'), messages });
    expect(answer.status).toBe(429);
    expect(JSON.parse(answer.text)).toMatchObject({ object: 'error', type: 'requests', param: null, code: null });
  });
});

describe('the groq flavour, through groq-sdk', () => {
  const groq = () => new Groq({ apiKey: 'k', baseURL: flavourUrl(provider.url, 'groq'), maxRetries: 0 });

  it('reports timings in usage and an x_groq request id', async () => {
    const completion = await groq().chat.completions.create({ model: 'llama-3.3-70b-versatile', messages });
    expect(completion.usage).toMatchObject({ prompt_tokens: expectedTokens('groq', 'openai.chat', { messages }).input, queue_time: expect.any(Number) });
    expect(completion.x_groq?.id).toMatch(/^req_/);
    expect(provider.requests[0]?.path).toBe('/flavour/groq/openai/v1/chat/completions');
  });

  it('streams usage in x_groq.usage, and also in usage (then a last chunk) when asked', async () => {
    const plain = await collect(await groq().chat.completions.create({ model: 'llama-3.3-70b-versatile', messages, stream: true }));
    expect(plain.filter((chunk) => chunk.x_groq?.usage !== undefined)).toHaveLength(1);
    // groq-sdk's chunk type has no `usage`; the wire has it when asked.
    const usageOf = (chunk: object): unknown => (chunk as { usage?: unknown }).usage;
    expect(plain.some((chunk) => usageOf(chunk) !== undefined)).toBe(false);

    const withUsage = { model: 'llama-3.3-70b-versatile', messages, stream: true as const, stream_options: { include_usage: true } };
    const asked = await collect(await groq().chat.completions.create(withUsage));
    expect(asked.filter((chunk) => usageOf(chunk) != null)).toHaveLength(2);
    expect(asked.at(-1)).toMatchObject({ choices: [], service_tier: 'on_demand' });
  });
});

describe('the deepseek, xai, openrouter, together and fireworks flavours, through openai', () => {
  it('deepseek: reports cache hits twice and reasoning inside completion_tokens; keeps streams alive with comments', async () => {
    const body = { model: 'deepseek-reasoner', messages, prompt_cache_key: 'tenant-1' };
    const completion = await openaiAt('deepseek', '').chat.completions.create(body);
    const tokens = expectedTokens('deepseek', 'openai.chat', body);
    expect(completion.usage).toMatchObject({
      prompt_tokens: tokens.input,
      completion_tokens: tokens.output,
      prompt_cache_hit_tokens: tokens.cacheRead,
      prompt_cache_miss_tokens: tokens.input - tokens.cacheRead,
      prompt_tokens_details: { cached_tokens: tokens.cacheRead },
      completion_tokens_details: { reasoning_tokens: REASONING_TOKENS },
    });
    expect((await raw('deepseek', '/chat/completions', { ...body, stream: true })).text.startsWith(': keep-alive\n\n')).toBe(true);
  });

  it('xai: leaves reasoning out of completion_tokens and bills in ticks', async () => {
    const body = { model: 'grok-3-mini', messages };
    const usage = (await openaiAt('xai', '/v1').chat.completions.create(body)).usage as unknown as Record<string, number>;
    expect(usage['total_tokens']).toBe(usage['prompt_tokens']! + usage['completion_tokens']! + REASONING_TOKENS);
    expect(usage['cost_in_usd_ticks']).toBe(Math.round(expectedReportedCost('xai', 'openai.chat', body)! * 1e10));
  });

  it('openrouter: writes blank lines before JSON, comments before a stream, and the cost in usage', async () => {
    const body = { model: 'openai/gpt-4o-mini', messages };
    expect((await raw('openrouter', '/api/v1/chat/completions', body)).text).toMatch(/^\n +\n\{/);
    const completion = await openaiAt('openrouter', '/api/v1').chat.completions.create(body);
    expect(completion.usage).toMatchObject({ cost: expectedReportedCost('openrouter', 'openai.chat', body), is_byok: false });
    const stream = await raw('openrouter', '/api/v1/chat/completions', { ...body, stream: true, usage: { include: true } });
    expect(stream.text.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    expect(stream.text).toMatch(/"finish_reason":"stop".*"usage":\{"prompt_tokens"/);
  });

  it('openrouter: reports an upstream failure mid-stream as a chunk with finish_reason "error"', async () => {
    const text = (await raw('openrouter', '/api/v1/chat/completions', { model: withScenario('openai/gpt-4o-mini', 'stream-error'), messages, stream: true }))
      .text;
    expect(text).toMatch(/"error":\{"code":502,.*"finish_reason":"error"/);
  });

  it('together: puts cached_tokens at the top of usage and usage in every stream last chunk', async () => {
    const body = { model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', messages, prompt_cache_key: 'tenant-1' };
    const completion = await openaiAt('together', '/v1').chat.completions.create(body);
    expect(completion.usage).toMatchObject({ cached_tokens: expectedTokens('together', 'openai.chat', body).cacheRead, prompt_tokens_details: null });
    const chunks = await collect(await openaiAt('together', '/v1').chat.completions.create({ ...body, stream: true }));
    expect(chunks.map((chunk) => chunk.usage === null)).toEqual([...chunks.slice(1).map(() => true), false]);
  });

  it('fireworks: sends usage in every stream last chunk', async () => {
    const chunks = await collect(
      await openaiAt('fireworks', '/inference/v1').chat.completions.create({
        model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
        messages,
        stream: true,
      }),
    );
    expect(chunks.at(-1)).toMatchObject({
      choices: [{ finish_reason: 'stop' }],
      usage: { prompt_tokens: expectedTokens('fireworks', 'openai.chat', { messages }).input },
    });
  });
});

describe('flavour selection and error shapes', () => {
  it.each([
    ['azure', { error: { code: '429' } }],
    ['groq', { error: { type: 'requests', code: 'rate_limit_exceeded' } }],
    ['xai', { code: 'Too Many Requests', error: expect.stringContaining('error-429') }],
    ['openrouter', { error: { code: 429 }, user_id: expect.any(String) }],
    ['together', { id: expect.any(String), error: { code: 'rate_limit_exceeded' } }],
    ['fireworks', { error: { object: 'error', type: 'requests' } }],
  ] as const)('%s answers an error in its own shape', async (flavour, shape) => {
    const answer = await raw(flavour, '/v1/chat/completions', { model: withScenario('m', 'error-429'), messages });
    expect(answer.status).toBe(429);
    expect(JSON.parse(answer.text)).toMatchObject(shape);
  });

  it('answers an unknown flavour with a 400 naming the flavours', async () => {
    const answer = await raw('cohere' as Flavour, '/v1/chat/completions', { model: 'm', messages });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('expected one of: openai, azure, mistral');
  });

  it('leaves OpenAI answers as they were, service tier echoed', async () => {
    const completion = await new OpenAI({ apiKey: 'k', baseURL: `${provider.url}/v1`, maxRetries: 0 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      service_tier: 'flex',
    });
    expect(completion.service_tier).toBe('flex');
    expect(completion.usage).toEqual(flavourUsage('openai', 'openai.chat', { messages }));
  });
});
