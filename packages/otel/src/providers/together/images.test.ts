/**
 * Together's image models: counted per image from an answer in the shape
 * its API reference documents (the fixture names it); the price data has
 * none of them, so they are counted unpriced, never $0.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import { togetherAdapter } from './adapter.js';

const recorded = JSON.parse(readFileSync(new URL('./fixtures/images.json', import.meta.url), 'utf8')).body;

function read(answer: string) {
  const call = togetherAdapter.matchCall('POST', '/v1/images/generations')!;
  const request = togetherAdapter.readRequest(call, { model: 'black-forest-labs/FLUX.1-schnell', prompt: 'a lighthouse at dusk', n: 2, steps: 4 }, 90);
  const reader = togetherAdapter.createReader(request, 'application/json');
  reader.push(new TextEncoder().encode(answer));
  return { request, facts: reader.finish() };
}

describe('Together image models', () => {
  it('matches POST /v1/images/generations, and lists it', () => {
    expect(togetherAdapter.matchCall('POST', '/v1/images/generations')).toEqual({ operation: 'image_generation', api: 'images' });
    expect(togetherAdapter.catalog).toContainEqual({ operation: 'Image generations', endpoint: 'POST /v1/images/generations', streaming: 'no' });
  });

  it('counts the images made and, the price data not knowing the model, the call unknown_model', () => {
    const { request, facts } = read(JSON.stringify(recorded));
    expect(facts).toMatchObject({ model: 'black-forest-labs/FLUX.1-schnell', units: { images: 2 }, usageComplete: true });
    const result = priceCall(togetherAdapter, request, facts, new PriceTable());
    expect(result).toMatchObject({ cost: undefined, unpricedReason: 'unknown_model', units: { images: 2 } });
  });

  it('counts the images the request asked for when the answer cannot be read', () => {
    const { request, facts } = read('{"id":"91f5a1e0c8a4e3b2-SJC","model":');
    expect(priceCall(togetherAdapter, request, facts, new PriceTable())).toMatchObject({
      model: 'black-forest-labs/FLUX.1-schnell',
      units: { images: 2 },
      unpricedReason: 'unknown_model',
    });
  });
});
