/**
 * Bedrock's service tiers, replayed from a recorded Converse answer (the
 * fixture names the cassette it comes from).
 */
import { readFileSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts } from '../types.js';
import { bedrockAdapter } from './adapter.js';

const request: RequestFacts = {
  operation: 'chat',
  api: 'converse',
  model: 'us.amazon.nova-micro-v1:0',
  stream: false,
  maxOutputTokens: 5,
  inputTokenEstimate: 10,
};

function price(text: string) {
  const reader = bedrockAdapter.createReader(request, 'application/json', () => undefined);
  reader.push(new TextEncoder().encode(text));
  return priceCall(bedrockAdapter, request, reader.finish(), new PriceTable());
}

const recorded = JSON.stringify(JSON.parse(readFileSync(new URL('./fixtures/converse-flex.json', import.meta.url), 'utf8')).body);

describe('Bedrock service tiers', () => {
  it('counts a call served on flex unpriced, at the standard price as an estimate: the price data has no flex prices for Bedrock', () => {
    const result = price(recorded);
    const r = findProvider({ providerId: 'aws' })!.models.find((m) => m.id === 'amazon.nova-micro-v1:0')!.prices as Record<string, number>;
    expect(result.usage).toMatchObject({ input: 13, output: 5 });
    expect(result.cost).toEqual({
      usd: expect.closeTo((13 * r['input_mtok']! + 5 * r['output_mtok']!) / 1e6, 12),
      source: 'estimated',
      pricedModel: 'amazon.nova-micro-v1:0',
    });
    expect(result.unpricedReason).toBe('tier_unpriced');
  });

  it('counts a call on reserved capacity as provisioned, with no per-token cost', () => {
    expect(price(recorded.replace('"flex"', '"reserved"'))).toMatchObject({ cost: undefined, unpricedReason: 'provisioned' });
  });

  it('prices the same answer on the default tier at the standard price', () => {
    const model = findProvider({ providerId: 'aws' })!.models.find((m) => m.id === 'amazon.nova-micro-v1:0')!;
    const r = model.prices as Record<string, number>;
    const result = price(recorded.replace('"flex"', '"default"'));
    expect(result.cost?.usd).toBeCloseTo((13 * r['input_mtok']! + 5 * r['output_mtok']!) / 1e6, 12);
  });
});
