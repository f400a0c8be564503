import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { deltaTextLength } from '../stream-scan.js';
import { withExtras } from '../json-reader.js';
import type { BilledExtras, ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { JsonArraySplitter } from './json-array.js';
import { geminiExtras, geminiUsage, groundingSearches, groundingUnits, mapsGrounded } from './usage.js';

/**
 * What the chunks of one `streamGenerateContent` answer said, however they
 * were framed. Each chunk is a whole GenerateContentResponse; its
 * `usageMetadata` is cumulative, so the last one wins. The usage is final
 * once a chunk has given a candidate its `finishReason` and usage arrived
 * with it or after it; a stream cut earlier keeps its partial usage (input
 * exact, output the larger of the reported count and the estimate).
 */
class GeminiChunks {
  readonly #estimate = new OutputEstimator();
  #usage: TokenUsage | undefined;
  #finished = false;
  #complete = false;
  #model: string | undefined;
  #responseId: string | undefined;
  #streamError: string | undefined;
  #extras: BilledExtras = {};
  #searches = 0;
  #maps = false;

  read(text: string): void {
    this.#estimate.addDelta(deltaTextLength(text));
    const chunk = parseJson(text);
    if (!isRecord(chunk)) return;
    // A failure after the 200 is a chunk of its own: {"error": {"code", "message", "status"}}.
    const error = recordAt(chunk, 'error');
    if (error !== undefined) {
      this.#streamError = stringAt(error, 'status') ?? 'error';
      return;
    }
    this.#model ??= stringAt(chunk, 'modelVersion');
    this.#responseId ??= stringAt(chunk, 'responseId');
    const candidates = chunk['candidates'];
    if (Array.isArray(candidates) && candidates.some((candidate) => isRecord(candidate) && typeof candidate['finishReason'] === 'string')) {
      this.#finished = true;
    }
    // Grounding's queries come in one chunk (usually the last with candidates), not cumulated.
    this.#searches = Math.max(this.#searches, groundingSearches(chunk));
    this.#maps ||= mapsGrounded(chunk);
    const usageMetadata = recordAt(chunk, 'usageMetadata');
    const usage = geminiUsage(usageMetadata);
    if (usage === undefined) return;
    this.#usage = usage;
    this.#extras = geminiExtras(usageMetadata, undefined);
    if (this.#finished) this.#complete = true;
  }

  facts(): ResponseFacts {
    const estimate = this.#estimate.tokens;
    const reported = this.#usage;
    const usage = reported === undefined || this.#complete ? reported : { ...reported, output: Math.max(reported.output, estimate) };
    const facts: ResponseFacts = {
      model: this.#model,
      responseId: this.#responseId,
      usage,
      usageComplete: this.#complete,
      providerCostUsd: undefined,
      outputTokenEstimate: estimate,
      ...(this.#streamError === undefined ? {} : { streamError: this.#streamError }),
    };
    const units = groundingUnits(this.#searches, this.#maps);
    const extras = units === undefined ? this.#extras : { ...this.#extras, units };
    return withExtras(facts, extras);
  }
}

/**
 * Reads `streamGenerateContent?alt=sse`: one `data:` event per chunk (the
 * framing the official SDKs ask for).
 *
 * @example
 * const reader = new GeminiSseReader();
 * reader.push(bytes);
 * reader.finish().usage
 */
export class GeminiSseReader implements ResponseReader {
  readonly #chunks = new GeminiChunks();
  readonly #sse = new SseDecoder((_event, data) => {
    this.#chunks.read(data);
  });

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    return this.#chunks.facts();
  }
}

/**
 * Reads `streamGenerateContent` without `alt=sse`: one JSON array whose
 * elements are the chunks, sent as they are made.
 *
 * @example
 * const reader = new GeminiArrayReader();
 * reader.push(bytes);
 * reader.finish().usage
 */
export class GeminiArrayReader implements ResponseReader {
  readonly #chunks = new GeminiChunks();
  readonly #array = new JsonArraySplitter((element) => {
    this.#chunks.read(element);
  });

  push(chunk: Uint8Array): void {
    this.#array.push(chunk);
  }

  finish(): ResponseFacts {
    return this.#chunks.facts();
  }
}
