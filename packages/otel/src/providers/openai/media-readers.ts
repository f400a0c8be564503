/**
 * Readers of OpenAI's image, audio and batch answers: a JSON body, an SSE
 * stream whose final event carries usage, or bytes that carry none (audio,
 * plain-text transcripts).
 */
import { DEFAULT_MAX_JSON_BYTES, JsonBodyCollector } from '../json-body.js';
import { lastValueOf } from '../json-tail.js';
import { noResponseFacts } from '../response-facts.js';
import { SseDecoder } from '../sse.js';
import { eventType } from '../stream-scan.js';
import { tokenUsage } from '../token-usage.js';
import type { BilledUnits, MediaTokens, ResponseFacts, ResponseReader } from '../types.js';
import { isRecord, type JsonRecord, parseJson, stringAt } from '../wire-values.js';
import type { MediaUsage } from './media-usage.js';

/** Images come back base64-encoded in the body (up to ten of several MB each): parse bodies that large. */
export const MAX_IMAGE_BYTES = 4 * DEFAULT_MAX_JSON_BYTES;

/** How one JSON answer keeps its usage. */
export interface MediaJsonShape {
  /** Usage from the parsed body. */
  usage(body: JsonRecord): MediaUsage | undefined;
  /** Usage from the `usage` value found in the tail of a body too large to parse. */
  tailUsage(usage: unknown): MediaUsage | undefined;
  /** Units counted from the parsed body (images made), merged into the usage's. */
  units?(body: JsonRecord): BilledUnits | undefined;
}

/**
 * Reads a JSON answer (image generations, transcriptions, a batch) with a
 * bounded collector; a body past the cap is read from its tail, where
 * `usage` comes last.
 *
 * @example
 * const reader = new MediaJsonReader(imagesJsonShape, MAX_IMAGE_BYTES);
 */
export class MediaJsonReader implements ResponseReader {
  readonly #body: JsonBodyCollector;
  readonly #shape: MediaJsonShape;

  constructor(shape: MediaJsonShape, maxBytes: number = DEFAULT_MAX_JSON_BYTES) {
    this.#shape = shape;
    this.#body = new JsonBodyCollector(maxBytes);
  }

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    const body = this.#body.finish();
    if (isRecord(body.value)) {
      const value = body.value;
      const found = this.#shape.usage(value);
      return mediaFacts(stringAt(value, 'model'), stringAt(value, 'id'), found, this.#shape.units?.(value));
    }
    if (!body.tooLarge) return noResponseFacts();
    const model = lastValueOf(body.tail, 'model');
    return mediaFacts(typeof model === 'string' ? model : undefined, undefined, this.#shape.tailUsage(lastValueOf(body.tail, 'usage')), undefined);
  }
}

/**
 * Reads an SSE answer whose final events (`image_generation.completed`,
 * `transcript.text.done`, `speech.audio.done`) carry usage; every other
 * event is only looked at for its type. Usage of several final events adds
 * up (one per image made).
 *
 * @example
 * const reader = new MediaStreamReader(new Set(['speech.audio.done']), (event) => speechUsage(event['usage']));
 */
export class MediaStreamReader implements ResponseReader {
  readonly #sse: SseDecoder;
  readonly #finals: ReadonlySet<string>;
  readonly #read: (event: JsonRecord) => MediaUsage | undefined;
  #found: MediaUsage | undefined;
  #finalEvents = 0;

  constructor(finals: ReadonlySet<string>, read: (event: JsonRecord) => MediaUsage | undefined, maxEvent?: number) {
    this.#finals = finals;
    this.#read = read;
    this.#sse = new SseDecoder((event, data) => this.#readEvent(event, data), maxEvent);
  }

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    const facts = mediaFacts(undefined, undefined, this.#found, undefined);
    return this.#finalEvents > 0 ? { ...facts, complete: true } : facts;
  }

  #readEvent(event: string, data: string): void {
    if (!this.#finals.has(eventType(event, data))) return;
    const parsed = parseJson(data);
    if (!isRecord(parsed)) return;
    this.#finalEvents += 1;
    const found = this.#read(parsed);
    if (found !== undefined) this.#found = this.#found === undefined ? found : addMediaUsage(this.#found, found);
  }
}

/**
 * Reads an answer that carries no usage (speech audio, a plain-text
 * transcript): nothing to learn from its bytes, and none kept.
 *
 * @example
 * new NoUsageReader().finish().usage // undefined
 */
export class NoUsageReader implements ResponseReader {
  push(): void {}

  finish(): ResponseFacts {
    return noResponseFacts();
  }
}

/** The facts of an answer with this usage: complete when tokens or other billed units arrived. */
function mediaFacts(model: string | undefined, responseId: string | undefined, found: MediaUsage | undefined, counted: BilledUnits | undefined): ResponseFacts {
  const units = found?.units === undefined ? counted : { ...counted, ...found.units };
  const known = found?.usage !== undefined || found?.units !== undefined;
  const facts: ResponseFacts = {
    model,
    responseId,
    // Units alone (seconds of audio) are the whole usage of a call billed in them: its tokens are none.
    usage: found?.usage ?? (known ? tokenUsage({ input: 0, output: 0 }) : undefined),
    usageComplete: known,
    providerCostUsd: undefined,
    outputTokenEstimate: 0,
  };
  if (found?.mediaTokens !== undefined) facts.mediaTokens = found.mediaTokens;
  if (units !== undefined) facts.units = units;
  return facts;
}

function addMediaUsage(a: MediaUsage, b: MediaUsage): MediaUsage {
  const usage =
    a.usage === undefined || b.usage === undefined
      ? (a.usage ?? b.usage)
      : tokenUsage({ input: a.usage.input + b.usage.input, output: a.usage.output + b.usage.output });
  const sum: MediaUsage = { usage };
  const media = addRecords(a.mediaTokens, b.mediaTokens) as Partial<MediaTokens> | undefined;
  const units = addRecords(a.units, b.units);
  if (media !== undefined) sum.mediaTokens = media;
  if (units !== undefined) sum.units = units;
  return sum;
}

function addRecords(
  a: Readonly<Record<string, number | undefined>> | undefined,
  b: Readonly<Record<string, number | undefined>> | undefined,
): Record<string, number> | undefined {
  if (a === undefined || b === undefined) return (a ?? b) as Record<string, number> | undefined;
  const sum: Record<string, number> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return sum;
}
