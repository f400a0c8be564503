import { DEFAULT_MAX_JSON_BYTES } from '../json-body.js';
import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { deltaTextLength, eventType } from '../stream-scan.js';
import type { ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { responsesUsage } from './usage.js';

// The final event repeats the whole response (output, instructions, tools): allow what a JSON body may be.
const MAX_EVENT = DEFAULT_MAX_JSON_BYTES;

const START_EVENTS: ReadonlySet<string> = new Set(['response.created', 'response.in_progress']);
const END_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads a Responses API SSE stream: model and id from `response.created`,
 * usage from `response.completed` (or `.incomplete` / `.failed`). `*.delta`
 * events are scanned for the output estimate, never parsed.
 *
 * @example
 * const reader = new ResponsesStreamReader();
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class ResponsesStreamReader implements ResponseReader {
  readonly #sse = new SseDecoder((event, data) => {
    this.#readEvent(event, data);
  }, MAX_EVENT);
  readonly #estimate = new OutputEstimator();
  #started = false;
  #model: string | undefined;
  #responseId: string | undefined;
  #usage: TokenUsage | undefined;

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    return {
      model: this.#model,
      responseId: this.#responseId,
      usage: this.#usage,
      usageComplete: this.#usage !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: this.#estimate.tokens,
    };
  }

  #readEvent(event: string, data: string): void {
    const type = eventType(event, data);
    if (type.endsWith('.delta')) {
      this.#estimate.addDelta(deltaTextLength(data));
      return;
    }
    const ends = END_EVENTS.has(type);
    if (!ends && (this.#started || !START_EVENTS.has(type))) return;
    this.#started = true;
    const parsed = parseJson(data);
    const response = isRecord(parsed) ? recordAt(parsed, 'response') : undefined;
    if (response === undefined) return;
    this.#model = stringAt(response, 'model') ?? this.#model;
    this.#responseId = stringAt(response, 'id') ?? this.#responseId;
    if (ends) this.#usage = responsesUsage(response['usage']) ?? this.#usage;
  }
}
