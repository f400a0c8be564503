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
  /** USD the provider reports in the body's `usage` value (OpenRouter, xAI); absent for most. */
  cost?(usage: unknown): number | undefined;
  /** Top-level keys other than `usage`, `model` and `id` (Gemini's `usageMetadata`, `modelVersion`, `responseId`). */
  keys?: Readonly<{ usage?: string; model?: string; id?: string }>;
}

const DEFAULT_KEYS = Object.freeze({ usage: 'usage', model: 'model', id: 'id' });

/**
 * Facts from a collected JSON body: `model`, `id` and `usage` at its top
 * level; for a body too large to parse, `usage` and `model` from its tail.
 *
 * @example
 * readJsonFacts(collector.finish(), chatCompletionsShape)
 */
export function readJsonFacts(body: CollectedJson, shape: JsonShape): ResponseFacts {
  const value = body.value;
  const keys = shape.keys === undefined ? DEFAULT_KEYS : { ...DEFAULT_KEYS, ...shape.keys };
  if (isRecord(value)) {
    const usage = shape.usage(value[keys.usage]);
    return {
      model: stringAt(value, keys.model),
      responseId: stringAt(value, keys.id),
      usage,
      usageComplete: usage !== undefined,
      providerCostUsd: usage === undefined ? undefined : shape.cost?.(value[keys.usage]),
      // The estimate only prices a body without usage; measuring the text of every answer would cost more than reading it.
      outputTokenEstimate: usage === undefined ? tokensFromChars(textLength(shape.output(value))) : 0,
      serviceTier: stringAt(value, 'service_tier'),
    };
  }
  if (!body.tooLarge) return noResponseFacts();
  const usageValue = lastValueOf(body.tail, keys.usage);
  const usage = shape.usage(usageValue);
  const model = lastValueOf(body.tail, keys.model);
  return {
    ...noResponseFacts(),
    model: typeof model === 'string' ? model : undefined,
    usage,
    usageComplete: usage !== undefined,
    providerCostUsd: usage === undefined ? undefined : shape.cost?.(usageValue),
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
