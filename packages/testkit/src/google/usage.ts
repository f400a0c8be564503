/**
 * The Google fake's token accounting: pure functions of the request body, so
 * a test can compute the exact usage it must observe.
 *
 * generateContent: input `T = ceil(C / 4)`, where `C` counts the `text` of
 * `systemInstruction.parts` and of every `contents[].parts`. The reply is
 * the first `N = min(24, generationConfig.maxOutputTokens)` words of the
 * canned reply (`finishReason: MAX_TOKENS` when cut short), one token per
 * word. A positive `generationConfig.thinkingConfig.thinkingBudget` is spent
 * whole on thoughts: `thoughtsTokenCount`, billed as output but reported
 * outside `candidatesTokenCount`, as Google does. A request naming a
 * `cachedContent` reads `floor(T / 2)` of its input from that cache
 * (`cachedContentTokenCount`, inside `promptTokenCount`).
 *
 * Embeddings: `T` counts the `text` of `content.parts` (embedContent) or of
 * every `requests[].content.parts` (batchEmbedContents); no output. Vertex
 * AI's `:predict` reports `token_count = ceil(C / 4)` of each
 * `instances[].content` on its own prediction, and the characters in all.
 */
import type { RequestBody } from '../api.js';
import { cannedWords, eachMember, partsChars, textTokens } from '../cloud/reply.js';

/** A modality's share of a count, as Google details it. */
export interface ModalityTokenCount {
  modality: 'TEXT';
  tokenCount: number;
}

/** `usageMetadata` of a generateContent answer, as on the wire (zero counts left out, as Google does). */
export interface GeminiUsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  promptTokensDetails: ModalityTokenCount[];
}

/** `usageMetadata` of an embeddings answer, as the Gemini API sends it (no total). */
export interface GeminiEmbedUsageMetadata {
  promptTokenCount: number;
  promptTokenDetails: ModalityTokenCount[];
}

function record(value: unknown): RequestBody | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RequestBody) : undefined;
}

/**
 * The reply words of a generateContent request (see the module comment).
 *
 * @example
 * geminiReplyWords({ generationConfig: { maxOutputTokens: 2 } }) // ['This', 'reply']
 */
export function geminiReplyWords(body: RequestBody): readonly string[] {
  return cannedWords(record(body['generationConfig'])?.['maxOutputTokens']);
}

/**
 * The usage the Google fake reports for a generateContent request body.
 *
 * @example
 * expectedGeminiUsage({ contents: [{ role: 'user', parts: [{ text: 'Say hi' }] }] })
 * // { promptTokenCount: 2, candidatesTokenCount: 24, totalTokenCount: 26, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }] }
 */
export function expectedGeminiUsage(body: RequestBody): GeminiUsageMetadata {
  const chars =
    partsChars(record(body['systemInstruction'])?.['parts']) + eachMember(body['contents'], 'parts').reduce<number>((sum, parts) => sum + partsChars(parts), 0);
  const prompt = textTokens(chars);
  const candidates = geminiReplyWords(body).length;
  const budget = record(record(body['generationConfig'])?.['thinkingConfig'])?.['thinkingBudget'];
  const thoughts = typeof budget === 'number' && Number.isInteger(budget) && budget > 0 ? budget : 0;
  const cached = typeof body['cachedContent'] === 'string' && body['cachedContent'] !== '' ? Math.floor(prompt / 2) : 0;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
}

/**
 * The usage the Google fake reports for an embedContent or batchEmbedContents request body.
 *
 * @example
 * expectedGeminiEmbedUsage({ requests: [{ content: { parts: [{ text: 'budget' }] } }] }) // { promptTokenCount: 2, … }
 */
export function expectedGeminiEmbedUsage(body: RequestBody): GeminiEmbedUsageMetadata {
  const contents = [record(body['content']), ...eachMember(body['requests'], 'content').map(record)];
  const prompt = textTokens(contents.reduce((sum, content) => sum + partsChars(content?.['parts']), 0));
  return { promptTokenCount: prompt, promptTokenDetails: [{ modality: 'TEXT', tokenCount: prompt }] };
}

/**
 * How many inputs an embeddings request embeds: one per `requests` entry, or one `content`.
 *
 * @example
 * embeddingCount({ requests: [{}, {}] }) // 2
 */
export function embeddingCount(body: RequestBody): number {
  return Array.isArray(body['requests']) ? body['requests'].length : 1;
}

/**
 * The `token_count` of each prediction the Google fake answers a Vertex AI
 * `:predict` embeddings request with: one per `instances[]` entry, of its `content` text.
 *
 * @example
 * expectedVertexPredictTokens({ instances: [{ content: 'weekly spend' }, { content: 'budget' }] }) // [3, 2]
 */
export function expectedVertexPredictTokens(body: RequestBody): number[] {
  return instanceTexts(body).map((text) => textTokens(text.length));
}

/** The text of each `instances[].content` of a `:predict` request (a string, as the SDK sends it, or Content parts). */
export function instanceTexts(body: RequestBody): string[] {
  const instances = Array.isArray(body['instances']) ? body['instances'] : [];
  return instances.map((instance) => {
    const content = record(instance)?.['content'];
    if (typeof content === 'string') return content;
    const parts = record(content)?.['parts'];
    return Array.isArray(parts) ? parts.map((part) => String(record(part)?.['text'] ?? '')).join('') : '';
  });
}

/**
 * How many images the Google fake makes for an Imagen `:predict` request:
 * `parameters.sampleCount`, or 4 when it is not given.
 *
 * @example
 * imageCount({ instances: [{ prompt: 'a gate' }], parameters: { sampleCount: 2 } }) // 2
 */
export function imageCount(body: RequestBody): number {
  const count = record(body['parameters'])?.['sampleCount'];
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 4;
}
