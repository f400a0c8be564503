import { type CollectedJson, JsonBodyCollector } from './json-body.js';
import { topLevelMembers } from './json-members.js';
import { lastValueOf } from './json-tail.js';
import { noResponseFacts } from './response-facts.js';
import { textLength, tokensFromChars } from './text-size.js';
import type { BilledExtras, ResponseFacts, ResponseReader, TokenUsage } from './types.js';
import { isRecord, type JsonRecord, stringAt } from './wire-values.js';

/** Where one wire format keeps its usage and its generated text. */
export interface JsonShape {
  /** Normalises the body's `usage` value; undefined when it is missing or malformed. */
  usage(usage: unknown): TokenUsage | undefined;
  /** The part of the body holding generated text (choices, output, content blocks). */
  output(body: JsonRecord): unknown;
  /** USD the provider reports in the body's `usage` value (OpenRouter, xAI); absent for most. */
  cost?(usage: unknown): number | undefined;
  /** What the body bills besides its token counts (tool fees, media parts, steps, tier), read from its `usage` value and the body. */
  extras?(usage: unknown, body: JsonRecord | undefined): BilledExtras;
  /** Top-level keys other than `usage`, `model` and `id` (Gemini's `usageMetadata`, `modelVersion`, `responseId`). */
  keys?: Readonly<{ usage?: string; model?: string; id?: string }>;
  /**
   * The top-level keys `extras` reads from the body, when it reads only
   * those: set (even empty), an answer with usage is read from the ends of
   * its text (see `topLevelMembers`) instead of parsed whole.
   */
  bodyKeys?: readonly string[];
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
    const facts: ResponseFacts = {
      model: stringAt(value, keys.model),
      responseId: stringAt(value, keys.id),
      usage,
      usageComplete: usage !== undefined,
      providerCostUsd: usage === undefined ? undefined : shape.cost?.(value[keys.usage]),
      // The estimate only prices a body without usage; measuring the text of every answer would cost more than reading it.
      outputTokenEstimate: usage === undefined ? tokensFromChars(textLength(shape.output(value))) : 0,
      serviceTier: stringAt(value, 'service_tier'),
    };
    return shape.extras === undefined ? facts : withExtras(facts, shape.extras(value[keys.usage], value));
  }
  if (!body.tooLarge) return noResponseFacts();
  const usageValue = lastValueOf(body.tail, keys.usage);
  const usage = shape.usage(usageValue);
  const model = lastValueOf(body.tail, keys.model);
  const facts: ResponseFacts = {
    ...noResponseFacts(),
    model: typeof model === 'string' ? model : undefined,
    usage,
    usageComplete: usage !== undefined,
    providerCostUsd: usage === undefined ? undefined : shape.cost?.(usageValue),
  };
  // Too large to parse: what the usage value holds is all that can be read.
  return shape.extras === undefined ? facts : withExtras(facts, shape.extras(usageValue, undefined));
}

/**
 * Facts with what a reader found billed besides the token counts; a tier
 * found there wins over a top-level `service_tier`.
 *
 * @example
 * withExtras(facts, { units: { web_searches: 1 } }).units // { web_searches: 1 }
 */
export function withExtras(facts: ResponseFacts, extras: BilledExtras): ResponseFacts {
  if (extras.units !== undefined) facts.units = extras.units;
  if (extras.mediaTokens !== undefined) facts.mediaTokens = extras.mediaTokens;
  if (extras.steps !== undefined) facts.steps = extras.steps;
  if (extras.stepsCoverUsage === true) facts.stepsCoverUsage = true;
  if (extras.serviceTier !== undefined) facts.serviceTier = extras.serviceTier;
  return facts;
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
    return readJsonFacts(this.#body.finish(partReader(this.#shape)), this.#shape);
  }
}

/**
 * Bodies shorter than this are parsed whole: reading the ends costs about
 * the same whatever the length, parsing grows with it, and they break even
 * near 1 KiB (chat answers, best of 15, Node 24: 849 B 2.15 us against 1.92
 * parsed; 1.6 KB 1.96 against 2.75; 2.6 KB 2.18 against 3.06).
 */
export const MIN_PART_READ_CHARS = 1024;

const partReaders = new WeakMap<JsonShape, (text: string) => JsonRecord | undefined>();

/**
 * What a shape reads of a body without parsing all of it: the members its
 * facts come from, when the usage among them reads (an answer without usage
 * is parsed whole, for its output estimate). Built once per shape.
 */
function partReader(shape: JsonShape): ((text: string) => JsonRecord | undefined) | undefined {
  if (shape.bodyKeys === undefined) return undefined;
  const known = partReaders.get(shape);
  if (known !== undefined) return known;
  const keys = shape.keys === undefined ? DEFAULT_KEYS : { ...DEFAULT_KEYS, ...shape.keys };
  const wanted = [...new Set([keys.usage, keys.model, keys.id, 'service_tier', ...shape.bodyKeys])];
  const read = (text: string): JsonRecord | undefined => {
    if (text.length < MIN_PART_READ_CHARS) return undefined;
    const members = topLevelMembers(text, keys.usage, wanted);
    return members !== undefined && shape.usage(members[keys.usage]) !== undefined ? members : undefined;
  };
  partReaders.set(shape, read);
  return read;
}
