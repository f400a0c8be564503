import { topLevelScalars } from './json-members.js';
import { tokensFromChars } from './text-size.js';
import type { OperationName, RequestFacts } from './types.js';
import { isRecord, type JsonRecord, parseJson, stringAt } from './wire-values.js';

/** What each provider reads from its own request body; the rest is common. */
export interface RequestShape {
  maxOutputTokens(body: JsonRecord): number | undefined;
  inputTokenEstimate(body: JsonRecord): number;
  /**
   * The top-level keys `maxOutputTokens` reads, when it reads only those:
   * set, a body's text is read for its facts without being parsed (see
   * `requestFactsFromText`).
   */
  outputKeys?: readonly string[];
}

/**
 * The facts of a request body: model, stream flag, output cap and input
 * estimate. Never throws: an unreadable body gives bodyLength / 4.
 *
 * @example
 * requestFacts({ operation: 'chat', api: 'messages' }, body, 98, anthropicRequestShape)
 */
export function requestFacts(call: { operation: OperationName; api: string }, body: unknown, bodyLength: number, shape: RequestShape): RequestFacts {
  if (!isRecord(body)) return unreadable(call, bodyLength);
  try {
    return {
      operation: call.operation,
      api: call.api,
      model: stringAt(body, 'model'),
      stream: body['stream'] === true,
      maxOutputTokens: shape.maxOutputTokens(body),
      inputTokenEstimate: shape.inputTokenEstimate(body),
      serviceTier: stringAt(body, 'service_tier'),
    };
  } catch {
    return unreadable(call, bodyLength);
  }
}

function unreadable(call: { operation: OperationName; api: string }, bodyLength: number): RequestFacts {
  return {
    operation: call.operation,
    api: call.api,
    model: undefined,
    stream: false,
    maxOutputTokens: undefined,
    inputTokenEstimate: tokensFromChars(bodyLength),
  };
}

const shapeKeys = new WeakMap<RequestShape, readonly string[]>();

/**
 * The facts of a request body's JSON text, read without parsing it whole:
 * its top-level scalars give the model, stream flag, output cap and tier,
 * and the input estimate, which only a budget rule or a cut call asks for,
 * parses the text when first read. The facts `requestFacts` gives the parsed
 * body; undefined when the shape does not say its keys or the text cannot be
 * read so (see `topLevelScalars`): then parse it.
 *
 * @example
 * requestFactsFromText({ operation: 'chat', api: 'messages' }, '{"model":"claude-haiku-4-5","max_tokens":64,"messages":[]}', anthropicRequestShape)
 * // { …, model: 'claude-haiku-4-5', maxOutputTokens: 64, inputTokenEstimate: 0 }
 */
export function requestFactsFromText(call: { operation: OperationName; api: string }, text: string, shape: RequestShape): RequestFacts | undefined {
  if (shape.outputKeys === undefined) return undefined;
  let keys = shapeKeys.get(shape);
  if (keys === undefined) shapeKeys.set(shape, (keys = ['model', 'stream', 'service_tier', ...shape.outputKeys]));
  const top = topLevelScalars(text, keys);
  if (top === undefined) return undefined;
  return new TextRequestFacts(call, top, shape, text);
}

/**
 * Request facts read from a body's text, whose input estimate parses the
 * text when first read. A class, not a literal with accessors: one shape
 * for every call, made without a runtime call.
 */
class TextRequestFacts implements RequestFacts {
  readonly operation: OperationName;
  readonly api: string;
  model: string | undefined;
  stream: boolean;
  maxOutputTokens: number | undefined;
  serviceTier: string | undefined;
  #estimate: number | undefined;
  readonly #text: string;
  readonly #shape: RequestShape;

  constructor(call: { operation: OperationName; api: string }, top: JsonRecord, shape: RequestShape, text: string) {
    this.operation = call.operation;
    this.api = call.api;
    this.model = stringAt(top, 'model');
    this.stream = top['stream'] === true;
    this.maxOutputTokens = shape.maxOutputTokens(top);
    this.serviceTier = stringAt(top, 'service_tier');
    this.#text = text;
    this.#shape = shape;
  }

  get inputTokenEstimate(): number {
    this.#estimate ??= inputEstimateOf(this.#text, this.#shape);
    return this.#estimate;
  }

  set inputTokenEstimate(tokens: number) {
    this.#estimate = tokens;
  }
}

/** The estimate `requestFacts` makes of the parsed text; a text that does not parse is sized by its length, as there. */
function inputEstimateOf(text: string, shape: RequestShape): number {
  const body = parseJson(text);
  try {
    if (isRecord(body)) return shape.inputTokenEstimate(body);
  } catch {
    // As requestFacts: an estimate that throws sizes the body by its length.
  }
  return tokensFromChars(text.length);
}
