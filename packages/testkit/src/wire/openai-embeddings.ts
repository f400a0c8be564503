/** OpenAI Embeddings: float arrays, or base64 little-endian float32 (the SDK's default). */
import type { RequestBody } from '../api.js';
import { expectedUsage } from '../usage.js';
import type { WireFormat } from './format.js';
import { newId } from './ids.js';

const API = 'openai.embeddings';
const DEFAULT_DIMENSIONS = 1536;

export const openaiEmbeddings: WireFormat = {
  api: API,

  json(body, call) {
    const dimensions = typeof body['dimensions'] === 'number' && body['dimensions'] > 0 ? body['dimensions'] : DEFAULT_DIMENSIONS;
    const base64 = body['encoding_format'] === 'base64';
    const data = Array.from({ length: inputCount(body) }, (_, index) => {
      const vector = embedding(index, dimensions);
      return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector };
    });
    const usage = expectedUsage(API, body);
    // Mistral names the list and counts the (zero) completion tokens.
    if (call.flavour === 'mistral') return { id: newId('', 16), object: 'list', data, model: call.model, usage: { ...usage, completion_tokens: 0 } };
    return { object: 'list', data, model: call.model, usage };
  },
};

/** One input unless `input` is a list of strings or of token-id arrays. */
function inputCount(body: RequestBody): number {
  const input = body['input'];
  if (!Array.isArray(input) || input.length === 0) return 1;
  return typeof input[0] === 'number' ? 1 : input.length;
}

/** A deterministic vector of float32 values, so both encodings carry the same numbers. */
function embedding(index: number, dimensions: number): number[] {
  const vector = new Array<number>(dimensions);
  for (let i = 0; i < dimensions; i++) vector[i] = Math.fround(((i * 31 + index * 17) % 97) / 97 - 0.5);
  return vector;
}

/** Little-endian float32 bytes in base64, whatever the host's byte order. */
function toBase64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}
