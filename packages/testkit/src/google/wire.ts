/** Gemini's answers as Google writes them: GenerateContentResponse JSON, its stream chunks, embeddings, errors. */
import type { RequestBody } from '../api.js';
import type { MessagePlan } from '../cloud/fake-server.js';
import { isCut, wordDeltas } from '../cloud/reply.js';
import {
  embeddingCount,
  expectedGeminiEmbedUsage,
  expectedGeminiUsage,
  expectedVertexPredictTokens,
  geminiReplyWords,
  imageCount,
  instanceTexts,
} from './usage.js';

/** Facts shared by every chunk of one answer. */
export interface GeminiCall {
  /** The model the answer reports as `modelVersion`. */
  model: string;
  responseId: string;
  /** Vertex AI's flavour: `createTime`, `trafficType`, and stream usage only in the last chunk. */
  vertex: boolean;
}

/** Words per stream chunk: Gemini sends a few tokens per chunk, not one. */
const WORDS_PER_CHUNK = 3;

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * A Google error body (`google.rpc.Status` as JSON).
 *
 * @example
 * googleError(429, 'Quota exceeded') // { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }
 */
export function googleError(status: number, message: string): object {
  return { error: { code: status, message, status: STATUS_NAMES[status] ?? (status >= 500 ? 'UNKNOWN' : 'FAILED_PRECONDITION') } };
}

function candidate(text: string, finishReason: string | undefined): object {
  return { content: { parts: [{ text }], role: 'model' }, ...(finishReason === undefined ? {} : { finishReason }), index: 0 };
}

function tail(call: GeminiCall): object {
  return call.vertex
    ? { modelVersion: call.model, createTime: new Date().toISOString(), responseId: call.responseId }
    : { modelVersion: call.model, responseId: call.responseId };
}

function finishReason(words: readonly string[]): string {
  return isCut(words) ? 'MAX_TOKENS' : 'STOP';
}

/**
 * The generateContent answer: one candidate with the whole reply, then its usage.
 *
 * @example
 * generateContentJson(body, { model: 'gemini-2.5-flash', responseId: 'r1', vertex: false }).usageMetadata
 */
export function generateContentJson(body: RequestBody, call: GeminiCall): { candidates: object[]; usageMetadata: object } {
  const words = geminiReplyWords(body);
  const usage = expectedGeminiUsage(body);
  return {
    candidates: [candidate(words.join(' '), finishReason(words))],
    usageMetadata: call.vertex ? { ...usage, trafficType: 'ON_DEMAND' } : usage,
    ...tail(call),
  };
}

/**
 * The chunks of streamGenerateContent: a few words each. On the Gemini API
 * every chunk carries the usage so far (cumulative); on Vertex AI only the
 * last one does. The last chunk gives the candidate its `finishReason`.
 * `cut` and `stream-error` stop after half the chunks, before the last.
 *
 * @example
 * generateContentStream(body, { model: 'gemini-2.5-flash', responseId: 'r1', vertex: true }).messages.at(-1)
 */
export function generateContentStream(body: RequestBody, call: GeminiCall): MessagePlan<object> {
  const words = geminiReplyWords(body);
  const usage = expectedGeminiUsage(body);
  const deltas = words.length === 0 ? [''] : wordDeltas(words, WORDS_PER_CHUNK);
  let sent = 0;
  const messages = deltas.map((text, i) => {
    const last = i === deltas.length - 1;
    sent += Math.min(WORDS_PER_CHUNK, words.length - i * WORDS_PER_CHUNK);
    const soFar = { ...usage, candidatesTokenCount: sent, totalTokenCount: usage.totalTokenCount - usage.candidatesTokenCount + sent };
    const usageMetadata = call.vertex ? (last ? { ...usage, trafficType: 'ON_DEMAND' } : { trafficType: 'ON_DEMAND' }) : last ? usage : soFar;
    return { candidates: [candidate(text, last ? finishReason(words) : undefined)], usageMetadata, ...tail(call) };
  });
  return {
    messages,
    halfway: Math.min(Math.ceil(messages.length / 2), messages.length - 1),
    error: googleError(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
  };
}

/**
 * An embeddings answer: one vector per input, and the usage the Gemini API
 * reports. Vertex AI's embedContent answers one `embedding`.
 *
 * @example
 * embedContentJson({ requests: [{ content: { parts: [{ text: 'budget' }] } }] }, 'batchEmbedContents')
 */
export function embedContentJson(body: RequestBody, verb: string): object {
  const usageMetadata = expectedGeminiEmbedUsage(body);
  const vector = (seed: number) => ({ values: [0.0125, -0.0311, 0.0472, -0.0098].map((value) => value * (seed + 1)) });
  if (verb === 'embedContent') return { embedding: vector(0), usageMetadata };
  return { embeddings: Array.from({ length: embeddingCount(body) }, (_, i) => vector(i)), usageMetadata };
}

/**
 * Vertex AI's `:predict` answer for a text embedding model: one prediction
 * per instance, each with its `statistics.token_count`, and the billable
 * characters of them all in `metadata`.
 */
export function predictEmbeddingsJson(body: RequestBody): object {
  const tokens = expectedVertexPredictTokens(body);
  const predictions = tokens.map((count, i) => ({
    embeddings: { values: [0.0125, -0.0311, 0.0472, -0.0098].map((value) => value * (i + 1)), statistics: { truncated: false, token_count: count } },
  }));
  return { predictions, metadata: { billableCharacterCount: instanceTexts(body).reduce((sum, text) => sum + text.length, 0) } };
}

/** A 1×1 PNG, base64: every image the fake makes, 40 times over so an answer is kilobytes like a real one's megabytes. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2b1a50000000049454e44ae426082'.repeat(40),
  'hex',
).toString('base64');

/**
 * Imagen's `:predict` answer: `parameters.sampleCount` images (4 when it is
 * not given, as Imagen does), each a prediction with `bytesBase64Encoded`.
 */
export function predictImagesJson(body: RequestBody): object {
  return { predictions: Array.from({ length: imageCount(body) }, () => ({ mimeType: 'image/png', bytesBase64Encoded: PNG })) };
}
