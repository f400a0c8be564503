/**
 * Calls a provider serves beside its OpenAI-compatible APIs, in a wire
 * format of their own: billed in units rather than tokens (pages read by an
 * OCR model, images made by an image model), matched, read and priced here;
 * or billed in tokens (Mistral's Conversations), matched and read here and
 * priced by the price table like any chat call.
 */
import { guardReader } from './guarded-reader.js';
import { DEFAULT_MAX_JSON_BYTES, JsonBodyCollector } from './json-body.js';
import { noResponseFacts } from './response-facts.js';
import { tokensFromChars } from './text-size.js';
import { tokenUsage } from './token-usage.js';
import type { CallCost, UnpricedReason } from '../model/cost.js';
import { priceBilledUsage } from '../pricing/billed-usage.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { BilledUnits, CatalogEntry, ProviderAdapter, ProviderCall, RequestFacts, ResponseFacts, ResponseReader, TokenUsage } from './types.js';
import { isRecord, type JsonRecord, stringAt } from './wire-values.js';

/** The unit calls one provider serves. */
export interface UnitCalls {
  /** Their README rows. */
  catalog: readonly CatalogEntry[];
  /** The unit call a path is, or undefined; its `api` is one of `apis`. */
  match(method: string, path: string): ProviderCall | undefined;
  apis: ReadonlySet<string>;
  /** True for calls billed in tokens like a chat call (their answers say which), priced by the price table as usual. */
  pricedByTokens?: true;
  /** Model, stream flag and the units the request alone says (images asked for). */
  readRequest(call: ProviderCall, body: unknown, bodyLength: number): RequestFacts;
  createReader(request: RequestFacts, contentType: string | undefined): ResponseReader;
}

const NO_TOKENS: TokenUsage = Object.freeze(tokenUsage({ input: 0, output: 0 }));

/**
 * `base` with `calls` added: matched after its own calls, read by their
 * readers, and priced from the price data's unit prices (`priceUnitCall`).
 *
 * @example
 * export const mistralAdapter = withUnitCalls(openAiCompatibleAdapter({ … }), mistralOcrCalls);
 */
export function withUnitCalls(base: ProviderAdapter, calls: UnitCalls): ProviderAdapter {
  const adapter: ProviderAdapter = {
    ...base,
    catalog: Object.freeze([...base.catalog, ...calls.catalog]),
    matchCall: (method, path) => calls.match(method, path) ?? base.matchCall(method, path),
    readRequest: (call, body, bodyLength) => (calls.apis.has(call.api) ? calls.readRequest(call, body, bodyLength) : base.readRequest(call, body, bodyLength)),
    // A unit call's body is read parsed, by its own readRequest.
    readRequestText: (call, text) => (calls.apis.has(call.api) ? undefined : base.readRequestText?.(call, text)),
    createReader: (request, contentType, header) =>
      calls.apis.has(request.api) ? guardReader(calls.createReader(request, contentType)) : base.createReader(request, contentType, header),
    price: (request, response, table) => {
      if (!calls.apis.has(request.api)) return base.price?.(request, response, table);
      return calls.pricedByTokens === true ? undefined : priceUnitCall(adapter, request, response, table);
    },
  };
  return Object.freeze(adapter);
}

/**
 * The cost of a unit call: its units (the answer's, else the request's) at
 * the price data's unit prices for the model. Never $0 in silence: a model
 * the data does not know is `unknown_model`, a known model without a price
 * for a unit `unit_unpriced` (priced for the rest, if any), an answer that
 * said no units `no_usage`.
 *
 * @example
 * priceUnitCall(mistralAdapter, request, { ...facts, units: { document_pages: 3 } }, table)?.cost // { usd: 0.012, … }
 */
export function priceUnitCall(adapter: ProviderAdapter, request: RequestFacts, response: ResponseFacts, table: PriceTable): CallCost {
  const model = response.model ?? request.model;
  const units = response.units ?? request.units;
  const call: CallCost = { usage: NO_TOKENS, model, cost: undefined, unpricedReason: undefined };
  if (units !== undefined) call.units = units;
  const unpriced = (reason: UnpricedReason): CallCost => ({ ...call, unpricedReason: reason });
  if (model === undefined) return unpriced('no_model');
  if (units === undefined) return unpriced('no_usage');
  const price = priceBilledUsage(table, adapter.name, adapter.pricingId, model, { usage: NO_TOKENS, units });
  if ('unpriced' in price) return unpriced(price.unpriced);
  // A unit without a price for this model (annotated pages on an older OCR model) leaves the price short: said so.
  return {
    ...call,
    cost: { usd: price.usd, source: 'price_table', pricedModel: price.model },
    unpricedReason: price.short === true ? 'unit_unpriced' : undefined,
  };
}

/** What a unit call's JSON answer says: its model, id and units. */
export interface UnitAnswer {
  model?: string | undefined;
  id?: string | undefined;
  units?: BilledUnits | undefined;
}

/**
 * Reads a unit call's JSON answer with a bounded collector; a body past the
 * cap (images or page scans inlined as base64) is read from its tail.
 *
 * @example
 * new UnitsJsonReader((body) => ({ model: stringAt(body, 'model'), units: { images: 1 } }), (tail) => ({}))
 */
export class UnitsJsonReader implements ResponseReader {
  readonly #body: JsonBodyCollector;
  readonly #read: (body: JsonRecord) => UnitAnswer;
  readonly #readTail: (tail: string) => UnitAnswer;

  constructor(read: (body: JsonRecord) => UnitAnswer, readTail: (tail: string) => UnitAnswer, maxBytes: number = DEFAULT_MAX_JSON_BYTES) {
    this.#read = read;
    this.#readTail = readTail;
    this.#body = new JsonBodyCollector(maxBytes);
  }

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    const body = this.#body.finish();
    const answer = isRecord(body.value) ? this.#read(body.value) : body.tooLarge ? this.#readTail(body.tail) : undefined;
    if (answer === undefined) return noResponseFacts();
    const facts: ResponseFacts = { ...noResponseFacts(), model: answer.model, responseId: answer.id };
    if (answer.units !== undefined) {
      // Units are the whole usage of a call billed in them: its tokens are none.
      facts.units = answer.units;
      facts.usage = NO_TOKENS;
      facts.usageComplete = true;
    }
    return facts;
  }
}

/**
 * The facts of a unit call's request: its model (from the body, or the path
 * for providers that name it there) and the units the request says.
 *
 * @example
 * unitRequest({ operation: 'image_generation', api: 'images' }, { model: 'black-forest-labs/FLUX.1-schnell', n: 2 }, 80, { images: 2 })
 */
export function unitRequest(call: ProviderCall, body: unknown, bodyLength: number, units?: BilledUnits): RequestFacts {
  const facts: RequestFacts = {
    operation: call.operation,
    api: call.api,
    model: call.model ?? (isRecord(body) ? stringAt(body, 'model') : undefined),
    stream: false,
    maxOutputTokens: undefined,
    inputTokenEstimate: tokensFromChars(bodyLength),
  };
  if (units !== undefined) facts.units = units;
  return facts;
}
