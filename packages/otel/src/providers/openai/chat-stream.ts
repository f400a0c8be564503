import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { chatDeltaLength, hasUsageObject } from '../stream-scan.js';
import { TailBuffer } from '../tail-buffer.js';
import { withExtras } from '../json-reader.js';
import type { BilledExtras, ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, type JsonRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { type OpenAiDialect, openAiDialect, type StreamUnitCounter } from './dialect.js';
import { withSearch } from './server-tools.js';

/** Bytes of the stream's end kept to find the usage chunk; it comes last, before `[DONE]`. */
const TAIL_BYTES = 16 * 1024;

/** Chunks parsed at most for the model: Azure's first chunk is a content-filter report with `"model":""`. */
const MAX_HEAD_CHUNKS = 4;

/** Bytes of the stream's start read for those chunks: the first piece the socket hands over may hold the whole stream. */
const HEAD_BYTES = 16 * 1024;

/**
 * Reads a Chat Completions (or legacy Completions) SSE stream with no work
 * per event in its middle: the first event is decoded for the model and id,
 * every byte is counted, and only the last 16 KiB are kept — and decoded
 * once, when the stream ends — for the `include_usage` chunk. A stream
 * whose usage never arrives is estimated at one output token per event (as
 * OpenAI streams one token per chunk), from the events of that tail and the
 * stream's size. O(1) state, and the same facts however the bytes are split.
 * The dialect says where a compatible provider keeps its usage and cost.
 *
 * @example
 * const reader = new ChatStreamReader(openAiDialect);
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class ChatStreamReader implements ResponseReader {
  readonly #head = new SseDecoder((_event, data) => this.#readHead(data));
  readonly #tail = new TailBuffer(TAIL_BYTES);
  readonly #dialect: OpenAiDialect;
  // Only for a dialect that bills units in a stream's middle (Groq's executed tools): every event is decoded and offered to it.
  readonly #units: StreamUnitCounter | undefined;
  readonly #events: SseDecoder | undefined;
  #headRead = false;
  #headChunks = 0;
  #headBytes = 0;
  #model: string | undefined;
  #responseId: string | undefined;
  #serviceTier: string | undefined;

  constructor(dialect: OpenAiDialect = openAiDialect) {
    this.#dialect = dialect;
    const units = dialect.eventUnits?.();
    this.#units = units;
    this.#events = units === undefined ? undefined : new SseDecoder((_event, data) => units.add(data));
  }

  push(chunk: Uint8Array): void {
    if (!this.#headRead) this.#pushHead(chunk);
    this.#events?.push(chunk);
    this.#tail.push(chunk);
  }

  finish(): ResponseFacts {
    let usage: TokenUsage | undefined;
    let cost: number | undefined;
    let extras: BilledExtras = {};
    let done = false;
    let streamError: string | undefined;
    let events = 0;
    let eventChars = 0;
    const estimate = new OutputEstimator();
    // A stream longer than the tail is estimated from its size: its tail's deltas are not counted one by one.
    const whole = !this.#tail.truncated;
    const decoder = new SseDecoder((_event, data) => {
      if (data === '[DONE]') {
        done = true;
        return;
      }
      events += 1;
      eventChars += data.length;
      // A failure after the 200 comes as a chunk of its own: {"error": {…}}.
      if (data.startsWith('{"error"')) {
        const parsed = parseJson(data);
        const error = isRecord(parsed) ? recordAt(parsed, 'error') : undefined;
        streamError = stringAt(error, 'type') ?? stringAt(error, 'code') ?? 'error';
        return;
      }
      if (!hasUsageObject(data)) {
        if (whole) estimate.addDelta(chatDeltaLength(data));
        return;
      }
      const chunk = parseJson(data);
      if (!isRecord(chunk)) return;
      const value = this.#dialect.chunkUsage(chunk);
      const found = this.#dialect.chatUsage(value);
      if (found === undefined) return;
      // A later usage chunk replaces an earlier one (Groq repeats it; xAI's counts are cumulative).
      usage = found;
      cost = this.#dialect.cost(value);
      extras = { ...this.#dialect.usageExtras(value), ...this.#dialect.chunkExtras(chunk) };
      this.#readIdentity(chunk);
    });
    decoder.push(this.#tail.wholeEvents());
    decoder.end();
    const { truncated, total } = this.#tail;
    this.#tail.release();
    this.#events?.end();
    const units = this.#units?.units();
    if (units !== undefined) extras = { ...extras, units: { ...extras.units, ...units } };
    const facts: ResponseFacts = {
      model: this.#model,
      responseId: this.#responseId,
      usage,
      usageComplete: usage !== undefined,
      providerCostUsd: cost,
      outputTokenEstimate: truncated && events > 0 ? Math.round((total / (eventChars + 8 * events)) * events) : estimate.tokens,
      ...(done ? { complete: true } : {}),
      ...(streamError === undefined ? {} : { streamError }),
      serviceTier: this.#serviceTier,
    };
    return withExtras(facts, withSearch(extras, this.#model));
  }

  /** Feeds the head decoder the stream's first bytes only: what lies past them is read from the tail, if anywhere. */
  #pushHead(chunk: Uint8Array): void {
    const room = HEAD_BYTES - this.#headBytes;
    const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    this.#headBytes += part.byteLength;
    this.#head.push(part);
    if (this.#headBytes >= HEAD_BYTES) this.#headRead = true;
  }

  #readHead(data: string): void {
    if (this.#headRead || data === '[DONE]') return;
    const chunk = parseJson(data);
    if (!isRecord(chunk)) return;
    this.#headChunks += 1;
    this.#readIdentity(chunk);
    this.#headRead = this.#model !== undefined || this.#headChunks >= MAX_HEAD_CHUNKS;
  }

  /** Model, id and tier of a chunk; an empty string (Azure's filter chunks) is no value. */
  #readIdentity(chunk: JsonRecord): void {
    this.#model ??= nonEmpty(stringAt(chunk, 'model'));
    this.#responseId ??= nonEmpty(stringAt(chunk, 'id'));
    this.#serviceTier = nonEmpty(stringAt(chunk, 'service_tier')) ?? this.#serviceTier;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
