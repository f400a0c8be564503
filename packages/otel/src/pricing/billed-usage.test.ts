import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { tokenUsage } from '../providers/token-usage.js';
import { priceBilledUsage } from './billed-usage.js';
import { PriceTable } from './price-table.js';

const table = new PriceTable({ openai: { 'my-image-model': { input: 4, output: 30 } } });
const none = tokenUsage({ input: 0, output: 0 });

describe('priceBilledUsage', () => {
  it('prices image tokens at the image rate, as the price data does', () => {
    const usage = tokenUsage({ input: 323, output: 4160 });
    const price = priceBilledUsage(table, 'openai', 'openai', 'gpt-image-1', { usage, mediaTokens: { inputImage: 259, outputImage: 4160 } });
    const reference = calcPrice({ input_tokens: 323, input_image_tokens: 259, output_tokens: 4160, output_image_tokens: 4160 }, 'gpt-image-1', {
      providerId: 'openai',
    });
    expect(price).toEqual({ usd: reference!.total_price, model: 'gpt-image-1' });
    // $5/M text, $10/M image input, $40/M output: the image part costs twice the text rate.
    expect('usd' in price && price.usd).toBeCloseTo((64 * 5 + 259 * 10 + 4160 * 40) / 1e6, 15);
  });

  it('prices seconds of audio for a model billed by the hour', () => {
    expect(priceBilledUsage(table, 'openai', 'openai', 'whisper-1', { usage: none, units: { audio_seconds: 90 } })).toEqual({
      usd: expect.closeTo(0.009, 15),
      model: 'whisper-1',
    });
  });

  it('keeps media parts within their totals, where the price data would throw', () => {
    const usage = tokenUsage({ input: 100, output: 10 });
    const price = priceBilledUsage(table, 'openai', 'openai', 'gpt-image-1', { usage, mediaTokens: { inputImage: 500, inputAudio: 50, outputImage: 99 } });
    expect(price).toEqual({ usd: expect.closeTo((100 * 10 + 10 * 40) / 1e6, 15), model: 'gpt-image-1' });
  });

  it('is unit_unpriced when nothing billed has a price, never $0', () => {
    expect(priceBilledUsage(table, 'openai', 'openai', 'gpt-4o-mini-tts', { usage: none, units: { characters: 57 } })).toEqual({ unpriced: 'unit_unpriced' });
    expect(priceBilledUsage(table, 'cohere', 'cohere', 'embed-v4.0', { usage: none, units: { images: 2 } })).toEqual({ unpriced: 'unit_unpriced' });
  });

  it('only counts a unit without a price when tokens were billed too', () => {
    const usage = tokenUsage({ input: 50, output: 1056 });
    expect(priceBilledUsage(table, 'openai', 'openai', 'gpt-image-1', { usage, units: { images: 1 } })).toEqual({
      usd: expect.closeTo((50 * 5 + 1056 * 40) / 1e6, 15),
      model: 'gpt-image-1',
    });
  });

  it('is unknown_model for a model the price data does not know', () => {
    expect(priceBilledUsage(table, 'openai', 'openai', 'dall-e-3', { usage: none, units: { images: 1 } })).toEqual({ unpriced: 'unknown_model' });
  });

  it('prices a config override from its tokens only', () => {
    const usage = tokenUsage({ input: 1000, output: 100 });
    expect(priceBilledUsage(table, 'openai', 'openai', 'my-image-model', { usage, mediaTokens: { inputImage: 1000 } })).toEqual({
      usd: expect.closeTo((1000 * 4 + 100 * 30) / 1e6, 15),
      model: 'my-image-model',
    });
    expect(priceBilledUsage(table, 'openai', 'openai', 'my-image-model', { usage: none, units: { audio_seconds: 5 } })).toEqual({ unpriced: 'unit_unpriced' });
  });
});
