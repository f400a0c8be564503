import { type CollectedJson, JsonBodyCollector } from './json-body.js';
import { lastValueOf } from './json-tail.js';
import { noResponseFacts } from './response-facts.js';
import { textLength, tokensFromChars } from './text-size.js';
import type { ResponseFacts, ResponseReader, TokenUsage } from './types.js';
import { isRecord, type JsonRecord, stringAt } from './wire-values.js';

/** Where one wire format keeps its usage and its generated text. */
export interface JsonShape {
  /** Normalises the body's `usage` value; undefined when it is missing or malformed. */
  usage(usage: unknown): TokenUsage | undefined;
  /** The part of the body holding generated text (choices, output, content blocks). */
  output(body: JsonRecord): unknown;
}

/**
 * Facts from a collected JSON body: `model`, `id` and `usage` at its top
 * level; for a body too large to parse, `usage` and `model` from its tail.
 *
 * @example
 * readJsonFacts(collector.finish(), chatCompletionsShape)
 */
export function readJsonFacts(body: CollectedJson, shape: JsonShape): ResponseFacts {
  const value = body.value;
  if (isRecord(value)) {
    const usage = shape.usage(value['usage']);
    return {
      model: stringAt(value, 'model'),
      responseId: stringAt(value, 'id'),
      usage,
      usageComplete: usage !== undefined,
      providerCostUsd: undefined,
      // The estimate only prices a body without usage; measuring the text of every answer would cost more than reading it.
      outputTokenEstimate: usage === undefined ? tokensFromChars(textLength(shape.output(value))) : 0,
    };
  }
  if (!body.tooLarge) return noResponseFacts();
  const usage = shape.usage(lastValueOf(body.tail, 'usage'));
  const model = lastValueOf(body.tail, 'model');
  return {
    ...noResponseFacts(),
    model: typeof model === 'string' ? model : undefined,
    usage,
    usageComplete: usage !== undefined,
  };
}

/**
 * A ResponseReader for a non-stream JSON body: collects it (bounded), then
 * reads it in the given shape.
 *
 * @example
 * const reader = new JsonResponseReader(messagesJsonShape);
 */
export class JsonResponseReader implements ResponseReader {
  readonly #body: JsonBodyCollector;
  readonly #shape: JsonShape;

  constructor(shape: JsonShape, body: JsonBodyCollector = new JsonBodyCollector()) {
    this.#shape = shape;
    this.#body = body;
  }

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    return readJsonFacts(this.#body.finish(), this.#shape);
  }
}
