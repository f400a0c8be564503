import { tokenUsage } from '../token-usage.js';
import type { BilledExtras, MediaTokens, TokenUsage } from '../types.js';
import { countAt, isRecord, type JsonRecord, recordAt, stringAt } from '../wire-values.js';

/**
 * TokenUsage from a Gemini `usageMetadata` object, counted the way Google
 * bills it (and `@pydantic/genai-prices` reads it):
 * - input: `promptTokenCount` (which already includes `cachedContentTokenCount`)
 *   plus `toolUsePromptTokenCount` (tool results the model read);
 * - output: `candidatesTokenCount` plus `thoughtsTokenCount`, which Google
 *   reports outside the candidates' count but bills as output;
 * - cache read: `cachedContentTokenCount`; reasoning: `thoughtsTokenCount`.
 *
 * Undefined without a prompt count; an answer with no candidates count (an
 * embedding, or a stream's first chunks) has output 0.
 *
 * @example
 * geminiUsage({ promptTokenCount: 9, candidatesTokenCount: 24, thoughtsTokenCount: 310, totalTokenCount: 343 })
 * // { input: 9, output: 334, cacheRead: 0, cacheWrite: 0, reasoning: 310 }
 */
export function geminiUsage(usageMetadata: unknown): TokenUsage | undefined {
  if (!isRecord(usageMetadata)) return undefined;
  const prompt = countAt(usageMetadata, 'promptTokenCount');
  if (prompt === undefined) return undefined;
  const thoughts = countAt(usageMetadata, 'thoughtsTokenCount') ?? 0;
  return tokenUsage({
    input: prompt + (countAt(usageMetadata, 'toolUsePromptTokenCount') ?? 0),
    output: (countAt(usageMetadata, 'candidatesTokenCount') ?? 0) + thoughts,
    cacheRead: countAt(usageMetadata, 'cachedContentTokenCount'),
    reasoning: thoughts,
  });
}

/**
 * Input tokens of a Vertex AI `:predict` embeddings answer: the sum of each
 * prediction's `embeddings.statistics.token_count`. Undefined when no
 * prediction has one.
 *
 * @example
 * predictionsUsage([{ embeddings: { statistics: { token_count: 3 } } }, { embeddings: { statistics: { token_count: 6 } } }])
 * // { input: 9, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export function predictionsUsage(predictions: unknown): TokenUsage | undefined {
  if (!Array.isArray(predictions)) return undefined;
  let input: number | undefined;
  for (const prediction of predictions) {
    const count = countAt(recordAt(recordAt(isRecord(prediction) ? prediction : undefined, 'embeddings'), 'statistics'), 'token_count');
    if (count !== undefined) input = (input ?? 0) + count;
  }
  return input === undefined ? undefined : tokenUsage({ input, output: 0 });
}

/** Gemini's modality names and the MediaTokens parts each fills, as prompt, cache and output. TEXT (and DOCUMENT, billed as text) fill none. */
const MODALITY_PARTS: Readonly<Record<string, readonly [input: keyof MediaTokens, cache: keyof MediaTokens, output: keyof MediaTokens]>> = Object.freeze({
  AUDIO: ['inputAudio', 'cacheReadAudio', 'outputAudio'],
  IMAGE: ['inputImage', 'cacheReadImage', 'outputImage'],
  VIDEO: ['inputVideo', 'cacheReadVideo', 'outputVideo'],
});

/**
 * What a Gemini answer bills besides its token counts: the audio, image and
 * video parts of its prompt (tool results included), cache and candidates
 * (`*TokensDetails`, by modality); the tier it was served on (Vertex AI's
 * `trafficType`, the Gemini API's `serviceTier`); and the Google Search
 * queries grounding ran (`groundingMetadata.webSearchQueries`), counted as
 * `web_searches`, and grounding with Google Maps, counted as `maps_groundings`.
 *
 * @example
 * geminiExtras({ promptTokenCount: 159, promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 150 }], trafficType: 'ON_DEMAND' }, undefined)
 * // { mediaTokens: { inputAudio: 150 }, serviceTier: 'ON_DEMAND' }
 */
export function geminiExtras(usageMetadata: unknown, body: JsonRecord | undefined): BilledExtras {
  const extras: BilledExtras = {};
  if (isRecord(usageMetadata)) {
    const media: Partial<MediaTokens> = {};
    addModalities(media, usageMetadata['promptTokensDetails'], 0);
    addModalities(media, usageMetadata['toolUsePromptTokensDetails'], 0);
    addModalities(media, usageMetadata['cacheTokensDetails'], 1);
    addModalities(media, usageMetadata['candidatesTokensDetails'], 2);
    if (Object.keys(media).length > 0) extras.mediaTokens = media;
    const tier = stringAt(usageMetadata, 'trafficType') ?? stringAt(usageMetadata, 'serviceTier');
    if (tier !== undefined) extras.serviceTier = tier;
  }
  const units = groundingUnits(groundingSearches(body), mapsGrounded(body));
  if (units !== undefined) extras.units = units;
  return extras;
}

/**
 * The units grounding bills: the Google Search queries it ran
 * (`web_searches`), and one `maps_groundings` for an answer grounded with
 * Google Maps (billed per grounded prompt); undefined for neither.
 *
 * @example
 * groundingUnits(0, true) // { maps_groundings: 1 }
 */
export function groundingUnits(searches: number, maps: boolean): Record<string, number> | undefined {
  if (searches === 0 && !maps) return undefined;
  const units: Record<string, number> = {};
  if (searches > 0) units['web_searches'] = searches;
  if (maps) units['maps_groundings'] = 1;
  return units;
}

/**
 * True when an answer (or one stream chunk) was grounded with Google Maps:
 * a candidate's `groundingMetadata` cites a place (`groundingChunks[].maps`)
 * or carries the Maps widget's `googleMapsWidgetContextToken`.
 *
 * @example
 * mapsGrounded({ candidates: [{ groundingMetadata: { groundingChunks: [{ maps: { title: 'Bella Blue' } }] } }] }) // true
 */
export function mapsGrounded(body: JsonRecord | undefined): boolean {
  const candidates = body?.['candidates'];
  if (!Array.isArray(candidates)) return false;
  for (const candidate of candidates) {
    const metadata = recordAt(isRecord(candidate) ? candidate : undefined, 'groundingMetadata');
    if (metadata === undefined) continue;
    if (typeof metadata['googleMapsWidgetContextToken'] === 'string') return true;
    const chunks = metadata['groundingChunks'];
    if (Array.isArray(chunks) && chunks.some((chunk) => isRecord(chunk) && isRecord(chunk['maps']))) return true;
  }
  return false;
}

/**
 * The Google Search queries grounding ran for an answer (or one stream chunk), summed over its candidates.
 *
 * @example
 * groundingSearches({ candidates: [{ groundingMetadata: { webSearchQueries: ['weather in Paris'] } }] }) // 1
 */
export function groundingSearches(body: JsonRecord | undefined): number {
  const candidates = body?.['candidates'];
  if (!Array.isArray(candidates)) return 0;
  let searches = 0;
  for (const candidate of candidates) {
    const queries = recordAt(isRecord(candidate) ? candidate : undefined, 'groundingMetadata')?.['webSearchQueries'];
    if (Array.isArray(queries)) searches += queries.length;
  }
  return searches;
}

function addModalities(media: Partial<MediaTokens>, details: unknown, slot: 0 | 1 | 2): void {
  if (!Array.isArray(details)) return;
  for (const detail of details) {
    if (!isRecord(detail)) continue;
    const parts = MODALITY_PARTS[stringAt(detail, 'modality') ?? ''];
    const count = countAt(detail, 'tokenCount');
    if (parts === undefined || count === undefined || count === 0) continue;
    const key = parts[slot];
    media[key] = (media[key] ?? 0) + count;
  }
}
