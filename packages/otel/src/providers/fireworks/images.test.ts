/**
 * Fireworks' image models, at the paths its API reference documents
 * (https://docs.fireworks.ai/api-reference/generate-a-new-image-from-a-text-prompt):
 * counted per image from the request, as the answer is the image itself.
 */
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import { fireworksAdapter } from './adapter.js';

describe('Fireworks image models', () => {
  it.each([
    ['/inference/v1/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image', 'accounts/fireworks/models/flux-1-schnell-fp8'],
    ['/inference/v1/workflows/accounts/fireworks/models/flux-kontext-pro', 'accounts/fireworks/models/flux-kontext-pro'],
    ['/inference/v1/image_generation/accounts/fireworks/models/stable-diffusion-xl-1024-v1-0', 'accounts/fireworks/models/stable-diffusion-xl-1024-v1-0'],
  ])('matches %s, the model named by the path', (path, model) => {
    expect(fireworksAdapter.matchCall('POST', path)).toEqual({ operation: 'image_generation', api: 'images', model });
  });

  it('does not count fetching a FLUX Kontext result, nor other methods', () => {
    expect(fireworksAdapter.matchCall('POST', '/inference/v1/workflows/accounts/fireworks/models/flux-kontext-pro/get_result')).toBeUndefined();
    expect(fireworksAdapter.matchCall('GET', '/inference/v1/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image')).toBeUndefined();
    expect(fireworksAdapter.matchCall('POST', '/inference/v1/chat/completions')).toEqual({ operation: 'chat', api: 'chat_completions' });
  });

  it('counts the images asked for and, the price data not knowing the model, the call unknown_model, whatever the image bytes', () => {
    const call = fireworksAdapter.matchCall('POST', '/inference/v1/image_generation/accounts/fireworks/models/stable-diffusion-xl-1024-v1-0')!;
    const request = fireworksAdapter.readRequest(call, { prompt: 'a lighthouse at dusk', samples: 2, steps: 30, height: 1024, width: 1024 }, 100);
    expect(request).toMatchObject({ model: 'accounts/fireworks/models/stable-diffusion-xl-1024-v1-0', units: { images: 2 } });
    const reader = fireworksAdapter.createReader(request, 'image/jpeg');
    reader.push(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    const result = priceCall(fireworksAdapter, request, reader.finish(), new PriceTable());
    expect(result).toMatchObject({ cost: undefined, unpricedReason: 'unknown_model', units: { images: 2 } });
  });
});
