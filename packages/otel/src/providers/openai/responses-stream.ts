import { DEFAULT_MAX_JSON_BYTES } from '../json-body.js';
import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { deltaTextLength, eventType } from '../stream-scan.js';
import { withExtras } from '../json-reader.js';
import type { BilledExtras, ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { type OpenAiDialect, openAiDialect } from './dialect.js';
import { responsesExtras } from './server-tools.js';

// The final event repeats the whole response (output, instructions, tools): allow what a JSON body may be.
const MAX_EVENT = DEFAULT_MAX_JSON_BYTES;

const START_EVENTS: ReadonlySet<string> = new Set(['response.created', 'response.in_progress']);
const END_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads a Responses API SSE stream: model and id from `response.created`,
 * usage and the server-side tool calls billed per call from
 * `response.completed` (or `.incomplete` / `.failed`). `*.delta`
 * events are scanned for the output estimate, never parsed.
 *
 * @example
 * const reader = new ResponsesStreamReader(openAiDialect);
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class ResponsesStreamReader implements ResponseReader {
  readonly #sse = new SseDecoder((event, data) => {
    this.#readEvent(event, data);
  }, MAX_EVENT);
  readonly #estimate = new OutputEstimator();
  readonly #dialect: OpenAiDialect;
  #started = false;
  #model: string | undefined;
  #responseId: string | undefined;
  #usage: TokenUsage | undefined;
  #cost: number | undefined;
  #serviceTier: string | undefined;
  #extras: BilledExtras = {};

  constructor(dialect: OpenAiDialect = openAiDialect) {
    this.#dialect = dialect;
  }

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    const facts: ResponseFacts = {
      model: this.#model,
      responseId: this.#responseId,
      usage: this.#usage,
      usageComplete: this.#usage !== undefined,
      providerCostUsd: this.#cost,
      outputTokenEstimate: this.#estimate.tokens,
      serviceTier: this.#serviceTier,
    };
    return withExtras(facts, this.#extras);
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
    this.#serviceTier = stringAt(response, 'service_tier') ?? this.#serviceTier;
    if (!ends) return;
    const usage = this.#dialect.responsesUsage(response['usage']);
    if (usage === undefined) return;
    this.#usage = usage;
    this.#cost = this.#dialect.cost(response['usage']);
    // The final event lists every output item, the tool calls billed per call among them.
    this.#extras = { ...this.#dialect.usageExtras(response['usage']), ...responsesExtras(response['usage'], response) };
  }
}
