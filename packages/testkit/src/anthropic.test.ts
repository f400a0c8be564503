import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProvider, expectedReply, expectedUsage, startFakeProvider, withScenario } from './index.js';

let provider: FakeProvider;
let anthropic: Anthropic;

beforeAll(async () => {
  provider = await startFakeProvider({ holdOpenMs: 50 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: `${provider.url}/anthropic`, maxRetries: 0 });
});
beforeEach(() => provider.reset());
afterAll(() => provider.close());

const system = [{ type: 'text' as const, text: 'You are a pricing assistant. '.repeat(20), cache_control: { type: 'ephemeral' as const } }];
const question = { role: 'user' as const, content: 'How much did that call cost?' };

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

describe('messages', () => {
  it('answers JSON with the model as asked, the canned reply and the expected usage', async () => {
    const body = { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [question] };
    const { data, response } = await anthropic.messages.create(body).withResponse();

    expect(data.type).toBe('message');
    expect(data.model).toBe('claude-sonnet-4-6');
    expect(data.content).toEqual([{ type: 'text', text: expectedReply('anthropic.messages', body) }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage).toEqual(expectedUsage('anthropic.messages', body));
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('request-id')).toMatch(/^req_011C[0-9a-f]{20}$/);
    // What the SDK itself parsed from the header.
    expect((data as { _request_id?: string | null })._request_id).toBe(response.headers.get('request-id'));
    expect(provider.requests).toEqual([
      { method: 'POST', path: '/anthropic/v1/messages', api: 'anthropic.messages', model: 'claude-sonnet-4-6', stream: false, scenario: 'normal', status: 200 },
    ]);
  });

  it('writes the prompt cache on a first turn and reads it on the next', async () => {
    const first = { model: 'claude-haiku-4-5', max_tokens: 1024, system, messages: [question] };
    const next = { ...first, messages: [question, { role: 'assistant' as const, content: 'Two cents.' }, question] };
    const written = await anthropic.messages.create(first);
    const read = await anthropic.messages.create(next);

    expect(written.usage).toEqual(expectedUsage('anthropic.messages', first));
    expect(written.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(read.usage).toEqual(expectedUsage('anthropic.messages', next));
    expect(read.usage.cache_read_input_tokens).toBeGreaterThan(0);
  });

  it('stops with max_tokens when max_tokens cuts the reply', async () => {
    const body = { model: 'claude-sonnet-4-6', max_tokens: 4, messages: [question] };
    const message = await anthropic.messages.create(body);

    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(4);
  });

  it('streams the named events in order, with initial then cumulative usage', async () => {
    const body = { model: 'claude-sonnet-4-6', max_tokens: 1024, system, messages: [question], stream: true as const };
    const { data: stream, response } = await anthropic.messages.create(body).withResponse();
    const events = [];
    for await (const event of stream) events.push(event);
    const usage = expectedUsage('anthropic.messages', body);

    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(24).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0];
    expect(start?.type === 'message_start' && start.message.usage).toEqual({ ...usage, output_tokens: 1 });
    const delta = events.at(-2);
    expect(delta?.type === 'message_delta' && delta.usage).toEqual({
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
    });
  });

  it('sends a ping event after content_block_start (which the client skips)', async () => {
    const response = await fetch(`${provider.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 2, messages: [question], stream: true }),
    });
    const names = [...(await response.text()).matchAll(/^event: (.+)$/gm)].map((match) => match[1]);

    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('works with the SDK stream helper, whose final message carries the expected usage', async () => {
    const body = { model: 'claude-sonnet-4-6', max_tokens: 1024, system, messages: [question] };
    const final = await anthropic.messages.stream(body).finalMessage();

    expect(final.content).toEqual([{ type: 'text', text: expectedReply('anthropic.messages', body) }]);
    expect(final.usage).toEqual(expectedUsage('anthropic.messages', body));
  });

  it('cut: drops the connection after half the deltas, before message_delta', async () => {
    const body = { model: withScenario('claude-sonnet-4-6', 'cut'), max_tokens: 1024, messages: [question], stream: true as const };
    const { items, error } = await collectUntilError(await anthropic.messages.create(body));

    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });
    expect(items.filter((event) => event.type === 'content_block_delta')).toHaveLength(12);
    expect(items.some((event) => event.type === 'message_delta')).toBe(false);
  });

  it('cut-after-usage: every event arrives, then the held connection is dropped', async () => {
    const body = { model: 'claude-sonnet-4-6+cut-after-usage', max_tokens: 1024, messages: [question], stream: true as const };
    const { items, error } = await collectUntilError(await anthropic.messages.create(body));

    expect(items.at(-1)?.type).toBe('message_stop');
    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });
  });

  it('stream-error: an error event mid-stream, thrown as APIError', async () => {
    const body = { model: 'claude-sonnet-4-6+stream-error', max_tokens: 1024, messages: [question], stream: true as const };
    const { items, error } = await collectUntilError(await anthropic.messages.create(body));

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('api_error');
    expect(items.filter((event) => event.type === 'content_block_delta')).toHaveLength(12);
  });
});

describe('errors', () => {
  it('error: a 500 in the Anthropic shape, as InternalServerError', async () => {
    const error = await anthropic.messages.create({ model: 'claude-sonnet-4-6+error', max_tokens: 10, messages: [question] }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    const apiError = error as InstanceType<typeof Anthropic.InternalServerError>;
    expect(apiError.status).toBe(500);
    expect(apiError.type).toBe('api_error');
    expect(apiError.error).toEqual({ type: 'error', error: { type: 'api_error', message: expect.any(String) }, request_id: apiError.requestID });
    expect(apiError.headers.get('x-should-retry')).toBe('true');
  });

  it('stream-error on a non-streaming call: the same 500 as error', async () => {
    const error = await anthropic.messages.create({ model: 'claude-sonnet-4-6+stream-error', max_tokens: 10, messages: [question] }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(provider.requests[0]).toMatchObject({ scenario: 'stream-error', stream: false, status: 500 });
  });

  it.each([
    ['error-429', Anthropic.RateLimitError, 'rate_limit_error'],
    ['error-529', Anthropic.OverloadedError, 'overloaded_error'],
    ['error-402', Anthropic.PaymentRequiredError, 'billing_error'],
    ['error-401', Anthropic.AuthenticationError, 'authentication_error'],
  ] as const)('%s: the client error class and error type', async (scenario, errorClass, type) => {
    const error = await anthropic.messages
      .create({ model: `claude-haiku-4-5+${scenario}`, max_tokens: 10, messages: [question], stream: true })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(errorClass);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe(type);
  });

  it('answers an unknown path with a 404 in the Anthropic shape', async () => {
    const error = await anthropic.models.list().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).type).toBe('not_found_error');
  });
});
