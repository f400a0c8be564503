import { callBySuffix } from '../call-suffix.js';
import { lastValueOf } from '../json-tail.js';
import { MAX_IMAGE_BYTES } from '../openai/media-readers.js';
import type { ProviderCall } from '../types.js';
import { type UnitAnswer, type UnitCalls, UnitsJsonReader, unitRequest } from '../unit-calls.js';
import { countAt, isRecord, type JsonRecord, stringAt } from '../wire-values.js';

const IMAGES_CALL: ProviderCall = Object.freeze({ operation: 'image_generation', api: 'images' });

/**
 * Together's image models (`POST /v1/images/generations`,
 * https://docs.together.ai/reference/post-images-generations): billed per
 * image, counted as `images` from the answer's `data` (the request's `n`,
 * default 1, when the answer is too large to parse).
 *
 * @example
 * togetherImageCalls.match('POST', '/v1/images/generations') // { operation: 'image_generation', api: 'images' }
 */
export const togetherImageCalls: UnitCalls = Object.freeze({
  catalog: [{ operation: 'Image generations', endpoint: 'POST /v1/images/generations', streaming: 'no' as const }],
  match: (method: string, path: string) => callBySuffix(method, path, [['/images/generations', IMAGES_CALL]]),
  apis: new Set(['images']),
  readRequest: (call: ProviderCall, body: unknown, bodyLength: number) =>
    unitRequest(call, body, bodyLength, { images: (isRecord(body) ? countAt(body, 'n') : undefined) ?? 1 }),
  createReader: () => new UnitsJsonReader(imagesAnswer, imagesTail, MAX_IMAGE_BYTES),
});

/**
 * The model and images of an image generation answer.
 *
 * @example
 * imagesAnswer({ id: 'img-1', model: 'black-forest-labs/FLUX.1-schnell', object: 'list', data: [{ index: 0, type: 'url', url: 'https://…' }] })
 * // { model: 'black-forest-labs/FLUX.1-schnell', id: 'img-1', units: { images: 1 } }
 */
export function imagesAnswer(body: JsonRecord): UnitAnswer {
  const data = body['data'];
  return { model: stringAt(body, 'model'), id: stringAt(body, 'id'), units: Array.isArray(data) && data.length > 0 ? { images: data.length } : undefined };
}

function imagesTail(tail: string): UnitAnswer {
  const model = lastValueOf(tail, 'model');
  return { model: typeof model === 'string' ? model : undefined };
}
