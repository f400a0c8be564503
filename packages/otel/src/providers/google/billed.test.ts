/**
 * Gemini and Vertex AI calls billed beyond their plain token counts —
 * modality rates, traffic types, grounding — replayed from recorded traffic
 * (each fixture names the cassette it comes from) and checked against the
 * price data's rates multiplied out by hand.
 */
import { readFileSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { ProviderAdapter, RequestFacts } from '../types.js';
import { geminiAdapter, vertexAdapter } from './adapter.js';
import { geminiExtras } from './usage.js';

const table = new PriceTable();

/** A model's rates in USD per million tokens, read from the price data as a finance team would. */
function rates(modelId: string): Record<string, number> {
  const model = findProvider({ providerId: 'google' })!.models.find((m) => m.id === modelId)!;
  const prices = Array.isArray(model.prices) ? model.prices[0]!.prices : model.prices;
  // These calls stay under every tier's start: the base rate applies.
  return Object.fromEntries(Object.entries(prices).map(([key, value]) => [key, typeof value === 'number' ? value : (value as { base: number }).base]));
}

function body(name: string): string {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  return name.endsWith('.sse') ? text : JSON.stringify(JSON.parse(text).body);
}

function price(adapter: ProviderAdapter, name: string, text = body(name)) {
  const stream = name.endsWith('.sse');
  const request: RequestFacts = {
    operation: 'generate_content',
    api: stream ? 'stream_generate_content' : 'generate_content',
    model: undefined,
    stream,
    maxOutputTokens: undefined,
    inputTokenEstimate: 10,
  };
  const reader = adapter.createReader(request, stream ? 'text/event-stream' : 'application/json');
  reader.push(new TextEncoder().encode(text));
  return priceCall(adapter, request, reader.finish(), table);
}

describe('Vertex AI traffic types', () => {
  const flash3 = rates('gemini-3-flash-preview');

  it('prices ON_DEMAND_FLEX at half the standard price (JSON)', () => {
    const result = price(vertexAdapter, 'vertex-flex.json');
    // Output is candidates (1) plus thoughts (51).
    const standard = (5 * flash3['input_mtok']! + (1 + 51) * flash3['output_mtok']!) / 1e6;
    expect(result.cost).toEqual({ usd: expect.closeTo(standard / 2, 12), source: 'price_table', pricedModel: 'gemini-3-flash-preview' });
  });

  it('prices ON_DEMAND_FLEX at half the standard price (stream)', () => {
    const result = price(vertexAdapter, 'vertex-flex-stream.sse');
    expect(result.cost?.usd).toBeCloseTo((5 * flash3['input_mtok']! + (1 + 100) * flash3['output_mtok']!) / 2e6, 12);
  });

  // The recorded flex answer, its traffic type changed by hand.
  const onTraffic = (trafficType: string) => price(vertexAdapter, 'vertex-flex.json', body('vertex-flex.json').replace('ON_DEMAND_FLEX', trafficType));

  it('counts PROVISIONED_THROUGHPUT as provisioned: paid by the hour, no per-token cost', () => {
    expect(onTraffic('PROVISIONED_THROUGHPUT')).toMatchObject({ cost: undefined, unpricedReason: 'provisioned' });
  });

  it('counts ON_DEMAND_PRIORITY unpriced, at the on-demand price as an estimate', () => {
    const standard = (5 * flash3['input_mtok']! + (1 + 51) * flash3['output_mtok']!) / 1e6;
    expect(onTraffic('ON_DEMAND_PRIORITY')).toMatchObject({
      cost: { usd: expect.closeTo(standard, 12), source: 'estimated' },
      unpricedReason: 'tier_unpriced',
    });
  });
});

describe('Gemini modality rates', () => {
  it('prices audio input at the audio rate (7× text on gemini-2.0-flash)', () => {
    const result = price(vertexAdapter, 'vertex-audio.json');
    const r = rates('gemini-2.0-flash');
    expect(result.mediaTokens).toEqual({ inputAudio: 150 });
    expect(result.cost?.usd).toBeCloseTo((9 * r['input_mtok']! + 150 * r['input_audio_mtok']! + 22 * r['output_mtok']!) / 1e6, 12);
  });

  it('prices image output at the image rate', () => {
    const result = price(vertexAdapter, 'vertex-image-output.json');
    const r = rates('gemini-2.5-flash-image');
    expect(result.mediaTokens).toEqual({ outputImage: 1290 });
    expect(result.cost?.usd).toBeCloseTo((9 * r['input_mtok']! + 1290 * r['output_image_mtok']!) / 1e6, 12);
  });

  it('reads audio read from the cache apart, and the price data prices it at its cache rate', () => {
    const usageMetadata = {
      promptTokenCount: 10_000,
      cachedContentTokenCount: 8_000,
      candidatesTokenCount: 50,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 4_000 },
        { modality: 'AUDIO', tokenCount: 6_000 },
      ],
      cacheTokensDetails: [
        { modality: 'TEXT', tokenCount: 3_000 },
        { modality: 'AUDIO', tokenCount: 5_000 },
      ],
    };
    expect(geminiExtras(usageMetadata, undefined)).toEqual({ mediaTokens: { inputAudio: 6_000, cacheReadAudio: 5_000 } });
    const text = JSON.stringify({ modelVersion: 'gemini-2.5-flash', candidates: [{ finishReason: 'STOP' }], usageMetadata });
    const r = rates('gemini-2.5-flash');
    const expected =
      (1_000 * r['input_mtok']! +
        3_000 * r['cache_read_mtok']! +
        1_000 * r['input_audio_mtok']! +
        5_000 * r['cache_audio_read_mtok']! +
        50 * r['output_mtok']!) /
      1e6;
    expect(price(geminiAdapter, 'hand-written.json', text).cost?.usd).toBeCloseTo(expected, 12);
  });
});

describe('Gemini grounding with Google Search', () => {
  const pro = rates('gemini-2.5-pro');

  it('counts the search queries and, the price data having no grounding price, the call unpriced beside its priced tokens (JSON)', () => {
    const result = price(geminiAdapter, 'grounding.json');
    expect(result.units).toEqual({ web_searches: 1 });
    // Input is the prompt (17) plus the search results read (119); output is candidates (201) plus thoughts (213).
    expect(result.cost?.usd).toBeCloseTo(((17 + 119) * pro['input_mtok']! + (201 + 213) * pro['output_mtok']!) / 1e6, 12);
    expect(result.unpricedReason).toBe('unit_unpriced');
  });

  it('counts the search queries of a stream once', () => {
    const result = price(geminiAdapter, 'grounding-stream.sse');
    expect(result.units).toEqual({ web_searches: 1 });
    expect(result.cost?.usd).toBeCloseTo(((17 + 102) * pro['input_mtok']! + (241 + 412) * pro['output_mtok']!) / 1e6, 12);
    expect(result.unpricedReason).toBe('unit_unpriced');
  });
});

describe('Grounding with Google Maps', () => {
  const flash = rates('gemini-2.0-flash');

  it('counts a Maps-grounded answer as one maps_groundings and, the price data having no Maps grounding price, the call unpriced beside its priced tokens', () => {
    const result = price(vertexAdapter, 'maps-grounding.json');
    expect(result.units).toEqual({ maps_groundings: 1 });
    expect(result.cost?.usd).toBeCloseTo((7 * flash['input_mtok']! + 236 * flash['output_mtok']!) / 1e6, 12);
    expect(result.unpricedReason).toBe('unit_unpriced');
  });

  it('counts it once in a stream, whichever chunks cite places', () => {
    const recorded = JSON.parse(body('maps-grounding.json'));
    const { usageMetadata, ...withoutUsage } = recorded;
    const sse = [withoutUsage, withoutUsage, recorded].map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join('');
    const result = price(vertexAdapter, 'maps-grounding.sse', sse);
    expect(usageMetadata.promptTokenCount).toBe(7);
    expect(result.units).toEqual({ maps_groundings: 1 });
    expect(result.unpricedReason).toBe('unit_unpriced');
  });
});

describe('Gemini Batch Mode', () => {
  it('counts a batchGenerateContent call billed later, never estimated from its request', () => {
    const call = geminiAdapter.matchCall('POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent')!;
    expect(call).toEqual({ operation: 'batch', api: 'batch_generate_content', model: 'gemini-2.5-flash' });
    const request = geminiAdapter.readRequest(call, { batch: { display_name: 'nightly', input_config: { file_name: 'files/abc' } } }, 80);
    const reader = geminiAdapter.createReader(request, 'application/json');
    reader.push(
      new TextEncoder().encode(
        JSON.stringify({
          name: 'batches/123',
          metadata: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch', state: 'BATCH_STATE_PENDING' },
        }),
      ),
    );
    expect(priceCall(geminiAdapter, request, reader.finish(), table)).toMatchObject({ cost: undefined, unpricedReason: 'billed_later' });
    expect(
      vertexAdapter.matchCall('POST', '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:batchGenerateContent'),
    ).toBeUndefined();
  });
});
