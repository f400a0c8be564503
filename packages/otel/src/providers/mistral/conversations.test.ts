/**
 * Mistral's Conversations API, replayed from recorded answers (each fixture
 * names the cassette it comes from): priced from its tokens, the connector
 * tokens as input, and its connector calls counted, checked against the
 * price data's rates multiplied out by hand.
 */
import { readFileSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import { mistralAdapter } from './adapter.js';

function rates(modelId: string): Record<string, number> {
  const prices = findProvider({ providerId: 'mistral' })!.models.find((m) => m.id === modelId)!.prices;
  return (Array.isArray(prices) ? prices[prices.length - 1]!.prices : prices) as Record<string, number>;
}

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function price(path: string, body: Record<string, unknown>, contentType: string, answer: string) {
  const call = mistralAdapter.matchCall('POST', path)!;
  const request = mistralAdapter.readRequest(call, body, JSON.stringify(body).length);
  const reader = mistralAdapter.createReader(request, contentType);
  reader.push(new TextEncoder().encode(answer));
  return priceCall(mistralAdapter, request, reader.finish(), new PriceTable());
}

const asked = {
  inputs: 'Use the code interpreter to calculate 21 * 2. Return only the result.',
  tools: [{ type: 'code_interpreter' }],
  model: 'mistral-small-latest',
};

describe('Mistral Conversations', () => {
  it.each([
    ['/v1/conversations'],
    ['/v1/conversations/conv_01a0a023194373b58a56d26adadc9561'],
    ['/v1/conversations/conv_01a0a023194373b58a56d26adadc9561/restart'],
  ])('matches POST %s', (path) => {
    expect(mistralAdapter.matchCall('POST', path)).toEqual({ operation: 'chat', api: 'conversations' });
  });

  it('does not match reading a conversation back', () => {
    expect(mistralAdapter.matchCall('GET', '/v1/conversations/conv_01a0a023194373b58a56d26adadc9561')).toBeUndefined();
    expect(mistralAdapter.matchCall('POST', '/v1/conversations/conv_01a0a023194373b58a56d26adadc9561/history')).toBeUndefined();
  });

  it('prices a JSON answer from its tokens, the connector tokens as input, and counts the code interpreter run unpriced', () => {
    const answer = JSON.stringify(JSON.parse(fixture('conversation-code-interpreter.json')).body);
    const result = price('/v1/conversations', { ...asked, stream: false }, 'application/json', answer);
    const r = rates('mistral-small-latest');
    expect(result.usage).toMatchObject({ input: 240 + 5, output: 35 });
    expect(result.units).toEqual({ code_executions: 1 });
    expect(result.cost?.usd).toBeCloseTo(((240 + 5) * r['input_mtok']! + 35 * r['output_mtok']!) / 1e6, 12);
    expect(result.unpricedReason).toBe('unit_unpriced');
  });

  it('prices a stream from its conversation.response.done usage, the model from its message deltas', () => {
    const result = price(
      '/v1/conversations',
      { ...asked, stream: true },
      'text/event-stream; charset=utf-8',
      fixture('conversation-code-interpreter-stream.sse'),
    );
    const r = rates('mistral-small-latest');
    expect(result.model).toBe('mistral-small-latest');
    expect(result.usage).toMatchObject({ input: 215 + 5, output: 19 });
    expect(result.units).toEqual({ code_executions: 1 });
    expect(result.cost?.usd).toBeCloseTo(((215 + 5) * r['input_mtok']! + 19 * r['output_mtok']!) / 1e6, 12);
  });

  it('finds the model in the answer when an agent request names none', () => {
    const answer = JSON.stringify(JSON.parse(fixture('conversation-code-interpreter.json')).body);
    const result = price('/v1/conversations', { agent_id: 'ag_0195', inputs: 'What is 21 * 2?' }, 'application/json', answer);
    expect(result.model).toBe('mistral-small-latest');
    expect(result.cost).toBeDefined();
  });
});
