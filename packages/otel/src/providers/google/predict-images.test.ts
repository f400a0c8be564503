import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { vertexAdapter } from './adapter.js';
import { PredictImagesReader } from './predict-images.js';

const body = new Uint8Array(readFileSync(new URL('./fixtures/predict-images.json', import.meta.url)));

function count(pieces: readonly Uint8Array[]): number | undefined {
  const reader = new PredictImagesReader();
  for (const piece of pieces) reader.push(piece);
  return reader.finish().units?.['images'];
}

describe('PredictImagesReader', () => {
  it('counts the images made, not the one filtered', () => {
    expect(count([body])).toBe(2);
  });

  it('counts a key split between chunks once, at every split point, and fed one byte at a time', () => {
    for (let at = 0; at <= body.length; at += 7) expect(count([body.subarray(0, at), body.subarray(at)]), `split at ${at}`).toBe(2);
    // Every split through the second image's key, and just around it.
    const key = Buffer.from(body).lastIndexOf('"bytesBase64Encoded"');
    for (let at = key - 2; at < key + 22; at++) expect(count([body.subarray(0, at), body.subarray(at)]), `split at ${at}`).toBe(2);
    expect(count(Array.from(body.subarray(0, 400), (byte) => new Uint8Array([byte])))).toBe(1);
  });

  it('says nothing of an empty answer, and counts no images in an answer that made none', () => {
    expect(new PredictImagesReader().finish()).toMatchObject({ usage: undefined, usageComplete: false });
    const none = new PredictImagesReader();
    none.push(new TextEncoder().encode('{"predictions":[{"raiFilteredReason":"56562880"}]}'));
    expect(none.finish()).toMatchObject({ usage: { input: 0, output: 0 }, usageComplete: true });
    expect(none.finish().units).toBeUndefined();
  });

  it('counts Imagen calls unpriced with their images, never $0: the price data has no Imagen model', () => {
    const request: RequestFacts = {
      operation: 'image_generation',
      api: 'predict_images',
      model: 'imagen-4.0-generate-001',
      stream: false,
      maxOutputTokens: 0,
      inputTokenEstimate: 5,
    };
    const reader = vertexAdapter.createReader(request, 'application/json');
    reader.push(body);
    expect(priceCall(vertexAdapter, request, reader.finish(), new PriceTable())).toMatchObject({
      cost: undefined,
      unpricedReason: 'unknown_model',
      units: { images: 2 },
    });
  });
});
