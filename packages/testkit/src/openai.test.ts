import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProvider, expectedReply, expectedUsage, startFakeProvider, withScenario } from './index.js';

let provider: FakeProvider;
let openai: OpenAI;

beforeAll(async () => {
  provider = await startFakeProvider({ holdOpenMs: 600_000 });
  openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${provider.url}/openai/v1`, maxRetries: 0 });
});
beforeEach(() => provider.reset());
afterAll(() => provider.close());

const messages = [
  { role: 'system' as const, content: 'You are a terse assistant.' },
  { role: 'user' as const, content: 'How much does one token cost?' },
];

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** Reads a stream until it fails; returns what arrived and the error. */
async function collectUntilError<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
  } catch (error) {
    return { items, error };
  }
  throw new Error(`the stream ended without an error after ${items.length} items`);
}

describe('chat completions', () => {
  it('answers JSON with the dated model, the canned reply and the expected usage', async () => {
    const body = { model: 'gpt-4o-mini', messages };
    const { data, response } = await openai.chat.completions.create(body).withResponse();

    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('gpt-4o-mini-2024-07-18');
    expect(data.choices[0]?.message.content).toBe(expectedReply('openai.chat', body));
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toEqual(expectedUsage('openai.chat', body));
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    // What the SDK itself parsed from the header.
    expect((data as { _request_id?: string | null })._request_id).toBe(response.headers.get('x-request-id'));
    expect(response.headers.get('date')).toBeTruthy();
    expect(provider.requests).toEqual([
      { method: 'POST', path: '/openai/v1/chat/completions', api: 'openai.chat', model: 'gpt-4o-mini', stream: false, scenario: 'normal', status: 200 },
    ]);
  });

  it('reports cached tokens for a prompt_cache_key and stops at max_completion_tokens', async () => {
    const body = { model: 'gpt-4o', messages, prompt_cache_key: 'tenant-7', max_completion_tokens: 5 };
    const completion = await openai.chat.completions.create(body);

    expect(completion.usage).toEqual(expectedUsage('openai.chat', body));
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(5);
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('answers any unknown model with that model', async () => {
    const completion = await openai.chat.completions.create({ model: 'acme-llm-9000', messages });
    expect(completion.model).toBe('acme-llm-9000');
  });

  it('streams role, content deltas and a finish chunk, without usage unless asked', async () => {
    const body = { model: 'gpt-4o-mini', messages, stream: true as const };
    const { data: stream, response } = await openai.chat.completions.create(body).withResponse();
    const chunks = await collect(stream);

    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(expectedReply('openai.chat', body));
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    expect(provider.requests[0]).toMatchObject({ stream: true, status: 200 });
  });

  it('streams a last usage chunk with empty choices, every earlier chunk having usage null, with include_usage', async () => {
    const body = { model: 'gpt-4o-mini', messages, stream: true as const, stream_options: { include_usage: true } };
    const chunks = await collect(await openai.chat.completions.create(body));
    const last = chunks.at(-1);

    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual(expectedUsage('openai.chat', body));
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content)).toHaveLength(24);
  });

  it('cut: drops the connection after half the content deltas, before the usage', async () => {
    const body = { model: withScenario('gpt-4o-mini', 'cut'), messages, stream: true as const, stream_options: { include_usage: true } };
    const { items, error } = await collectUntilError(await openai.chat.completions.create(body));

    expect(error).toBeInstanceOf(Error);
    expect(items.filter((chunk) => chunk.choices[0]?.delta.content)).toHaveLength(12);
    expect(items.every((chunk) => chunk.usage === null)).toBe(true);
    expect(provider.requests[0]).toMatchObject({ model: 'gpt-4o-mini', scenario: 'cut' });
  });

  it('cut: fails a JSON call whose body stops halfway', async () => {
    await expect(openai.chat.completions.create({ model: 'gpt-4o-mini+cut', messages })).rejects.toThrow();
  });

  it('cut-after-usage: the client gets usage and [DONE] and stops reading while the server holds the connection', async () => {
    const body = { model: 'gpt-4o-mini+cut-after-usage', messages, stream: true as const, stream_options: { include_usage: true } };
    // The server holds the connection for 10 minutes: a client that read on until the server let go would outlast the test.
    const chunks = await collect(await openai.chat.completions.create(body));

    expect(chunks.at(-1)?.usage).toEqual(expectedUsage('openai.chat', body));
  });

  it('stream-error: sends a 200 stream then an error chunk the client throws as APIError', async () => {
    const body = { model: 'gpt-4o-mini+stream-error', messages, stream: true as const };
    const { items, error } = await collectUntilError(await openai.chat.completions.create(body));

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
    expect(items.filter((chunk) => chunk.choices[0]?.delta.content)).toHaveLength(12);
  });
});

describe('errors', () => {
  it('error: a 500 in the OpenAI shape, as InternalServerError', async () => {
    const error = await openai.chat.completions.create({ model: 'gpt-4o-mini+error', messages }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const apiError = error as InstanceType<typeof OpenAI.InternalServerError>;
    expect(apiError.status).toBe(500);
    expect(apiError.type).toBe('server_error');
    expect(apiError.error).toEqual({ message: expect.stringContaining('error'), type: 'server_error', param: null, code: null });
    expect(apiError.requestID).toMatch(/^req_/);
    expect(apiError.headers?.get('x-should-retry')).toBe('true');
  });

  it('error-429: a RateLimitError that the client retries like the real API', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${provider.url}/v1`, maxRetries: 1 });
    const error = await retrying.chat.completions.create({ model: 'gpt-4o-mini+error-429', messages, stream: true }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    expect(provider.requests.map((request) => request.status)).toEqual([429, 429]);
  });

  it('error-400: not retried (x-should-retry: false)', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${provider.url}/v1` });
    const error = await retrying.responses.create({ model: 'gpt-4o-mini+error-400', input: 'hi' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(provider.requests).toHaveLength(1);
  });

  it('takes the scenario from a /scenario/<name>/ path segment', async () => {
    const client = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${provider.url}/scenario/error-503/v1`, maxRetries: 0 });
    const error = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('rejects an unknown scenario with a 400 naming the valid ones', async () => {
    const error = await openai.chat.completions.create({ model: 'gpt-4o-mini+slow', messages }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('cut-after-usage');
    expect(provider.requests[0]).toMatchObject({ scenario: null, status: 400 });
  });

  it('answers an unknown path with a 404 NotFoundError', async () => {
    const error = await openai.models.list().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('Invalid URL (GET /openai/v1/models)');
    expect(provider.requests[0]).toMatchObject({ api: null, status: 404 });
  });
});

describe('responses', () => {
  it('answers JSON with output text and the expected usage', async () => {
    const body = { model: 'gpt-4.1-mini', instructions: 'Be brief.', input: 'What does costctl do?' };
    const response = await openai.responses.create(body);

    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe('gpt-4.1-mini-2025-04-14');
    expect(response.output_text).toBe(expectedReply('openai.responses', body));
    expect(response.usage).toEqual(expectedUsage('openai.responses', body));
  });

  it('streams the typed events in order, numbered, ending with response.completed and its usage', async () => {
    const body = { model: 'gpt-4o-mini', input: [{ role: 'user' as const, content: 'Hello there' }], stream: true as const, prompt_cache_key: 'k' };
    const events = await collect(await openai.responses.create(body));
    const types = events.map((event) => event.type);

    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array<string>(24).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(deltas.join('')).toBe(expectedReply('openai.responses', body));
    const completed = events.at(-1);
    expect(completed?.type === 'response.completed' && completed.response.usage).toEqual(expectedUsage('openai.responses', body));
  });

  it('ends with response.incomplete when max_output_tokens cuts the reply', async () => {
    const body = { model: 'gpt-4o-mini', input: 'Hello', max_output_tokens: 16, stream: true as const };
    const events = await collect(await openai.responses.create(body));
    const last = events.at(-1);

    expect(last?.type).toBe('response.incomplete');
    expect(last?.type === 'response.incomplete' && last.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(last?.type === 'response.incomplete' && last.response.usage?.output_tokens).toBe(16);
  });

  it('works with the SDK stream helper', async () => {
    const body = { model: 'gpt-4o-mini', input: 'Hello' };
    const final = await openai.responses.stream(body).finalResponse();

    expect(final.output_text).toBe(expectedReply('openai.responses', body));
    expect(final.usage).toEqual(expectedUsage('openai.responses', body));
  });

  it('cut: drops the connection before response.completed', async () => {
    const { items, error } = await collectUntilError(await openai.responses.create({ model: 'gpt-4o-mini+cut', input: 'Hello', stream: true }));

    expect(error).toBeInstanceOf(Error);
    expect(items.filter((event) => event.type === 'response.output_text.delta')).toHaveLength(12);
    expect(items.some((event) => event.type === 'response.completed')).toBe(false);
  });

  it('stream-error: an error event the client throws as APIError', async () => {
    const { error } = await collectUntilError(await openai.responses.create({ model: 'gpt-4o-mini+stream-error', input: 'Hello', stream: true }));

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('The server had an error');
  });
});

describe('embeddings', () => {
  it('answers the SDK default (base64) with vectors the client decodes, and the expected usage', async () => {
    const body = { model: 'text-embedding-3-small', input: ['first text', 'second text'], dimensions: 8 };
    const decoded = await openai.embeddings.create(body);
    const floats = await openai.embeddings.create({ ...body, encoding_format: 'float' });

    expect(decoded.model).toBe('text-embedding-3-small');
    expect(decoded.data.map((item) => item.index)).toEqual([0, 1]);
    expect(decoded.data[0]?.embedding).toHaveLength(8);
    expect(Array.from(decoded.data[1]?.embedding ?? [])).toEqual(floats.data[1]?.embedding);
    expect(decoded.usage).toEqual(expectedUsage('openai.embeddings', body));
  });

  it('defaults to 1536 dimensions', async () => {
    const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello', encoding_format: 'float' });
    expect(result.data[0]?.embedding).toHaveLength(1536);
  });
});
