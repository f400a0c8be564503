import type { JsonShape } from '../json-reader.js';
import type { JsonRecord } from '../wire-values.js';
import { geminiExtras, geminiUsage, predictionsUsage } from './usage.js';

/**
 * A Gemini JSON answer (`generateContent`, `embedContent`,
 * `batchEmbedContents`): `usageMetadata`, `modelVersion` and `responseId` at
 * its top level, generated text in `candidates`. An answer without usage
 * gives an output estimate from its candidates' text, and is priced as an estimate.
 */
export const geminiJsonShape: JsonShape = Object.freeze({
  usage: geminiUsage,
  extras: geminiExtras,
  output: (body: JsonRecord) => body['candidates'],
  keys: Object.freeze({ usage: 'usageMetadata', model: 'modelVersion', id: 'responseId' }),
});

/**
 * Vertex AI's `:predict` answer for text embeddings: a `token_count` in each
 * prediction's `embeddings.statistics`, summed as input; no model, no id, no output.
 */
export const predictEmbeddingsShape: JsonShape = Object.freeze({
  usage: predictionsUsage,
  output: () => undefined,
  keys: Object.freeze({ usage: 'predictions' }),
});
