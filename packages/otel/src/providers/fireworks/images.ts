import { NoUsageReader } from '../openai/media-readers.js';
import type { ProviderCall } from '../types.js';
import { type UnitCalls, unitRequest } from '../unit-calls.js';
import { countAt, isRecord } from '../wire-values.js';

/**
 * Fireworks' image models (https://docs.fireworks.ai/api-reference/generate-a-new-image-from-a-text-prompt):
 * `POST /inference/v1/workflows/accounts/{account}/models/{model}/text_to_image`
 * (FLUX), `…/workflows/accounts/{account}/models/{model}` (FLUX Kontext,
 * whose result is fetched later by `get_result`, not billed again), and
 * `POST /inference/v1/image_generation/accounts/{account}/models/{model}`
 * (Stable Diffusion). Billed per image (per step for Stable Diffusion);
 * counted as `images` from the request's `samples` (default 1), as the
 * answer is the image itself. The model is the path's, in Fireworks' own
 * `accounts/{account}/models/{model}` form.
 *
 * @example
 * matchFireworksImageCall('POST', '/inference/v1/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image')
 * // { operation: 'image_generation', api: 'images', model: 'accounts/fireworks/models/flux-1-schnell-fp8' }
 */
export function matchFireworksImageCall(method: string, path: string): ProviderCall | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  const match = IMAGE_PATH.exec(path);
  if (match === null) return undefined;
  return { operation: 'image_generation', api: 'images', model: `accounts/${decodeURIComponent(match[2]!)}/models/${decodeURIComponent(match[3]!)}` };
}

const IMAGE_PATH = /\/inference\/v1\/(workflows|image_generation)\/accounts\/([^/]+)\/models\/([^/]+?)(?:\/text_to_image)?\/?$/;

/** Fireworks' image calls, for its adapter. */
export const fireworksImageCalls: UnitCalls = Object.freeze({
  catalog: [
    {
      operation: 'Image generation (FLUX)',
      endpoint: 'POST /inference/v1/workflows/accounts/{account}/models/{model}[/text_to_image]',
      streaming: 'no' as const,
    },
    {
      operation: 'Image generation (Stable Diffusion)',
      endpoint: 'POST /inference/v1/image_generation/accounts/{account}/models/{model}',
      streaming: 'no' as const,
    },
  ],
  match: matchFireworksImageCall,
  apis: new Set(['images']),
  readRequest: (call: ProviderCall, body: unknown, bodyLength: number) =>
    unitRequest(call, body, bodyLength, { images: (isRecord(body) ? countAt(body, 'samples') : undefined) ?? 1 }),
  // The answer is the image (or its base64): nothing to read, and nothing kept.
  createReader: () => new NoUsageReader(),
});
