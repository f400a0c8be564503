/**
 * Mistral OCR, billed per page: replayed from a recorded answer (the fixture
 * names the cassette it comes from) and priced against the price data's page
 * rates multiplied out by hand.
 */
import { readFileSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import { mistralAdapter } from './adapter.js';

/** The model's page rates today, USD per thousand pages: the last of its dated prices that has started. */
function rates(modelId: string): Record<string, number> {
  const prices = findProvider({ providerId: 'mistral' })!.models.find((m) => m.id === modelId)!.prices;
  if (!Array.isArray(prices)) return prices as Record<string, number>;
  const today = new Date().toISOString().slice(0, 10);
  const started = prices.filter((entry) => {
    const constraint = (entry as { constraint?: { start_date?: string } }).constraint;
    return constraint?.start_date === undefined || constraint.start_date <= today;
  });
  return started[started.length - 1]!.prices as Record<string, number>;
}

const recorded = JSON.parse(readFileSync(new URL('./fixtures/ocr.json', import.meta.url), 'utf8')).body;

function price(body: unknown) {
  const call = mistralAdapter.matchCall('POST', '/v1/ocr')!;
  const request = mistralAdapter.readRequest(
    call,
    { model: 'mistral-ocr-latest', document: { type: 'document_url', document_url: 'data:application/pdf;base64,JVBERi0xLjAK', document_name: 'test.pdf' } },
    553,
  );
  const reader = mistralAdapter.createReader(request, 'application/json');
  reader.push(new TextEncoder().encode(JSON.stringify(body)));
  return priceCall(mistralAdapter, request, reader.finish(), new PriceTable());
}

describe('Mistral OCR', () => {
  it('matches POST /v1/ocr, and lists it', () => {
    expect(mistralAdapter.matchCall('POST', '/v1/ocr')).toEqual({ operation: 'ocr', api: 'ocr' });
    expect(mistralAdapter.catalog).toContainEqual({ operation: 'OCR', endpoint: 'POST /v1/ocr', streaming: 'no' });
    expect(mistralAdapter.matchCall('POST', '/v1/chat/completions')).toEqual({ operation: 'chat', api: 'chat_completions' });
  });

  it('prices the pages processed at the model page rate', () => {
    const result = price(recorded);
    expect(result.units).toEqual({ document_pages: 1 });
    expect(result.usage).toMatchObject({ input: 0, output: 0 });
    expect(result.cost).toEqual({
      usd: expect.closeTo(rates('mistral-ocr-latest')['input_document_kpages']! / 1e3, 12),
      source: 'price_table',
      pricedModel: 'mistral-ocr-latest',
    });
    expect(result.unpricedReason).toBeUndefined();
  });

  it('prices pages with annotations at the annotated rate', () => {
    const result = price({ ...recorded, document_annotation: '{"title": "Leveraging unlabeled data"}' });
    expect(result.units).toEqual({ document_pages: 1, annotated_document_pages: 1 });
    expect(result.cost?.usd).toBeCloseTo(rates('mistral-ocr-latest')['input_annotated_document_kpages']! / 1e3, 12);
  });

  it('prices annotated pages at the plain rate and counts the call short on a model the price data has no annotated rate for', () => {
    const result = price({ ...recorded, model: 'mistral-ocr-2503', document_annotation: '{}' });
    expect(rates('mistral-ocr-2503')['input_annotated_document_kpages']).toBeUndefined();
    expect(result.cost?.usd).toBeCloseTo(rates('mistral-ocr-2503')['input_document_kpages']! / 1e3, 12);
    expect(result).toMatchObject({ unpricedReason: 'unit_unpriced', units: { document_pages: 1, annotated_document_pages: 1 } });
  });

  it('says no_usage for an answer without usage_info, never $0', () => {
    const { usage_info: _, ...withoutUsage } = recorded;
    expect(price(withoutUsage)).toMatchObject({ cost: undefined, unpricedReason: 'no_usage' });
  });
});
