import { describe, expect, it } from 'vitest';
import type { MeterConfig } from '../../config/schema.js';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { HeaderLookup, ProviderAdapter } from '../types.js';
import { meterAdapter } from './meter-adapter.js';

const table = new PriceTable();

function call(adapter: ProviderAdapter, method: string, path: string, body: string | Uint8Array = '', headers: Record<string, string> = {}) {
  const matched = adapter.matchCall(method, path);
  if (matched === undefined) throw new Error(`${method} ${path} does not match`);
  const request = adapter.readRequest(matched, undefined, 0);
  const header: HeaderLookup = (name) => headers[name];
  const reader = adapter.createReader(request, headers['content-type'], header);
  reader.push(typeof body === 'string' ? new TextEncoder().encode(body) : body);
  return { request, cost: priceCall(adapter, request, reader.finish(), table) };
}

const serpapi = meterAdapter({ name: 'serpapi', host: 'serpapi.com', path: '/search*', method: 'GET', operation: 'search', price: { perRequest: 0.01 } });
const speech: MeterConfig = {
  name: 'speechco',
  host: 'api.speech.example',
  path: '/v1/**',
  method: 'POST',
  operation: 'transcription',
  price: { perUnit: 0.000016, unit: { header: 'x-audio-seconds', name: 'audio_seconds' }, maxUnits: 3600 },
};

describe('meterAdapter', () => {
  it('matches by method and path glob', () => {
    expect(serpapi.matchCall('GET', '/search.json')).toEqual({ operation: 'search', api: 'meter' });
    expect(serpapi.matchCall('get', '/search')).toEqual({ operation: 'search', api: 'meter' });
    expect(serpapi.matchCall('POST', '/search.json')).toBeUndefined();
    expect(serpapi.matchCall('GET', '/account.json')).toBeUndefined();
  });

  it('reads a request as no tokens, named after the meter', () => {
    expect(serpapi.readRequest({ operation: 'search', api: 'meter' }, { q: 'coffee' }, 20)).toEqual({
      operation: 'search',
      api: 'meter',
      model: 'serpapi',
      stream: false,
      maxOutputTokens: 0,
      inputTokenEstimate: 0,
    });
  });

  it('prices a call per request, whatever its body, and counts no units', () => {
    const { request, cost } = call(serpapi, 'GET', '/search.json', '{"search_metadata":{"status":"Success"}}');
    expect(cost).toEqual({
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      model: 'serpapi',
      cost: { usd: 0.01, source: 'price_table', pricedModel: 'serpapi' },
      unpricedReason: undefined,
      units: {},
    });
    expect(serpapi.bodyOptional).toBe(true);
    expect(serpapi.worstCaseUsd?.(request)).toBe(0.01);
  });

  it('prices per unit read from a header, and reserves maxUnits', () => {
    const adapter = meterAdapter(speech);
    const { request, cost } = call(adapter, 'POST', '/v1/listen', '{"results":[]}', { 'x-audio-seconds': '31.2', 'content-type': 'application/json' });
    expect(cost).toMatchObject({ cost: { usd: expect.closeTo(31.2 * 0.000016, 15), source: 'price_table' }, units: { audio_seconds: 31.2 } });
    expect(adapter.worstCaseUsd?.(request)).toBeCloseTo(3600 * 0.000016, 15);
  });

  it('says unit_missing when the header is absent, never $0', () => {
    const { cost } = call(meterAdapter(speech), 'POST', '/v1/listen', '{}');
    expect(cost).toMatchObject({ cost: undefined, unpricedReason: 'unit_missing', units: {} });
  });

  it('prices per unit read from a JSON field plus a price per request, and counts arrays', () => {
    const tts = meterAdapter({
      name: 'ttsco',
      host: 'tts.example',
      price: { perRequest: 0.001, perUnit: 0.00003, unit: { json: 'usage.characters', name: 'characters' } },
    });
    expect(tts.bodyOptional).toBe(false);
    const { cost } = call(tts, 'POST', '/any/path', '{"audio":"…","usage":{"characters":1200}}');
    expect(cost).toMatchObject({ cost: { usd: expect.closeTo(0.001 + 1200 * 0.00003, 15) }, units: { characters: 1200 } });
    const messages = meterAdapter({ name: 'sms', host: 'sms.example', price: { perUnit: 0.0079, unit: { json: 'messages' } } });
    expect(call(messages, 'POST', '/send', '{"messages":[{"id":"a"},{"id":"b"}]}').cost).toMatchObject({
      cost: { usd: expect.closeTo(2 * 0.0079, 15) },
      units: { units: 2 },
    });
    expect(call(messages, 'POST', '/send', 'not json').cost).toMatchObject({ unpricedReason: 'unit_missing' });
  });

  it('reads a JSON field from the tail of a body too large to parse', () => {
    const tts = meterAdapter({ name: 'ttsco', host: 'tts.example', price: { perUnit: 0.00003, unit: { json: 'usage.characters', name: 'characters' } } });
    const big = `{"audio":"${'A'.repeat(9 * 1024 * 1024)}","usage":{"characters":1200}}`;
    expect(call(tts, 'POST', '/speak', big).cost.units).toEqual({ characters: 1200 });
  });

  it('answers a blocked call with a generic error body', () => {
    expect(serpapi.errorBody('costctl_gate_tripped', 'blocked')).toEqual({ error: { type: 'costctl_gate_tripped', message: 'blocked' } });
  });
});
