import { tokenUsage } from '../token-usage.js';
import type { ResponseFacts, ResponseReader } from '../types.js';

/** Each image made comes as one prediction with this key; a filtered one has `raiFilteredReason` instead. */
const IMAGE_KEY = Buffer.from('"bytesBase64Encoded"');

/**
 * Reads Imagen's `:predict` answer: how many images it made, by counting
 * their `"bytesBase64Encoded"` keys as the bytes go by — the body is
 * megabytes of base64, never collected or parsed. A key split between two
 * chunks is counted once (the last bytes of a chunk are kept for the next).
 * No tokens: the images are the call's units.
 *
 * @example
 * const reader = new PredictImagesReader();
 * reader.push(body);
 * reader.finish().units // { images: 2 }
 */
export class PredictImagesReader implements ResponseReader {
  #images = 0;
  #carry: Buffer = Buffer.alloc(0);
  #bytes = 0;

  push(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#bytes += bytes.length;
    const head = IMAGE_KEY.length - 1;
    // The kept bytes are shorter than the key: a key starting among them ends in this chunk.
    if (this.#carry.length > 0) this.#images += keysStartingBefore(Buffer.concat([this.#carry, bytes.subarray(0, head)]), this.#carry.length);
    this.#images += keysStartingBefore(bytes, bytes.length);
    const tail = bytes.length >= head ? bytes.subarray(bytes.length - head) : Buffer.concat([this.#carry, bytes]);
    this.#carry = Buffer.from(tail.subarray(Math.max(0, tail.length - head)));
  }

  finish(): ResponseFacts {
    const counted = this.#bytes > 0;
    const facts: ResponseFacts = {
      model: undefined,
      responseId: undefined,
      usage: counted ? tokenUsage({ input: 0, output: 0 }) : undefined,
      usageComplete: counted,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
    };
    if (this.#images > 0) facts.units = { images: this.#images };
    return facts;
  }
}

/** How many keys in `bytes` start before offset `end`. */
function keysStartingBefore(bytes: Buffer, end: number): number {
  let found = 0;
  for (let at = bytes.indexOf(IMAGE_KEY); at !== -1 && at < end; at = bytes.indexOf(IMAGE_KEY, at + IMAGE_KEY.length)) found += 1;
  return found;
}
