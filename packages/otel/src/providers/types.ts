/**
 * The contract between the call path and each provider: how to recognise a
 * billable call, and the reader that turns its response into usage.
 */
import type { CallCost } from '../model/cost.js';
import type { HeaderLookup, OperationName, RequestFacts, ResponseFacts } from '../model/usage.js';
import type { PriceTable } from '../pricing/price-table.js';

// The shapes adapters read and write live in model/, as every stage reads them.
export type {
  BilledExtras,
  BilledStep,
  BilledUnits,
  HeaderLookup,
  MediaTokens,
  OperationName,
  RequestFacts,
  ResponseFacts,
  TokenUsage,
} from '../model/usage.js';

/**
 * Reads one response body incrementally. Implementations keep O(1) state per
 * event (never the whole stream) and never throw, whatever bytes they get.
 */
export interface ResponseReader {
  /** Feeds decoded (decompressed) body bytes in arrival order. */
  push(chunk: Uint8Array): void;
  /** Called once, when the body has ended or was cut. */
  finish(): ResponseFacts;
}

/** A billable call recognised from a request's method and path. */
export interface ProviderCall {
  operation: OperationName;
  /** Which wire format the response will be in (adapter specific). */
  api: string;
  /** The model, for APIs that name it in the path (Gemini, Bedrock, Azure deployments). */
  model?: string;
}

/** One row of the README's provider table: an operation and how its answers come. */
export interface CatalogEntry {
  /** What the provider calls the operation, e.g. `Chat Completions`. */
  operation: string;
  /** Its method and path, e.g. `POST /v1/chat/completions`. */
  endpoint: string;
  /** How a streamed answer comes, or `no` when the operation has no stream. */
  streaming: 'SSE' | 'event stream' | 'JSON lines' | 'no';
}

/** One paid API: how to recognise its calls and read their usage. */
export interface ProviderAdapter {
  /** `gen_ai.provider.name` value, e.g. `openai`. */
  readonly name: string;
  /** The provider id in `@pydantic/genai-prices`. */
  readonly pricingId: string;
  /**
   * Hosts served by this provider's public API. A `*` stands for one DNS
   * label, for regional and per-tenant hosts (`*.openai.azure.com`).
   */
  readonly hosts: readonly string[];
  /** The operations costctl prices, for the README's provider table. */
  readonly catalog: readonly CatalogEntry[];
  /**
   * The billable call a request path is, or undefined when it is not one
   * (listing models, uploading files…). `path` has no query string.
   */
  matchCall(method: string, path: string): ProviderCall | undefined;
  /** Reads the facts from the request's JSON body (undefined when unreadable). */
  readRequest(call: ProviderCall, body: unknown, bodyLength: number): RequestFacts;
  /**
   * The facts `readRequest` would give, read from the body's JSON text
   * without parsing it whole; undefined when a bounded read cannot tell,
   * and then the parsed body goes to `readRequest`.
   */
  readRequestText?(call: ProviderCall, text: string): RequestFacts | undefined;
  /**
   * A reader for this call's response body. `header` reads the response's
   * headers, for providers that report usage there (Bedrock's InvokeModel).
   */
  createReader(request: RequestFacts, contentType: string | undefined, header?: HeaderLookup): ResponseReader;
  /**
   * An error body in this provider's own shape, for a call costctl blocked:
   * the official SDK then raises its normal API error with this type and message.
   */
  errorBody(type: string, message: string): unknown;
  /**
   * Headers a blocked call's error answer carries besides the common ones, for
   * SDKs that read the error type from a header (AWS's `x-amzn-errortype`).
   */
  errorHeaders?(type: string): Readonly<Record<string, string>>;
  /**
   * Another name to price a model under when the price data does not know it
   * as reported (Azure's `gpt-35-turbo-0125` is OpenAI's `gpt-3.5-turbo-0125`);
   * undefined when there is none.
   */
  pricingAlias?(model: string): string | undefined;
  /**
   * The name to price a step run on another model under first, given the
   * call's model (a Bedrock inference profile: an advisor step of a call to
   * `global.anthropic.claude-sonnet-5` on `claude-opus-4-8` is sold as
   * `global.anthropic.claude-opus-4-8`); undefined when the step's own name is
   * the one to price.
   */
  stepPricingModel?(callModel: string, stepModel: string): string | undefined;
  /**
   * Prices a call billed in more than the five token counts (image and audio
   * tokens, seconds, characters, a metered API's units); undefined leaves the
   * call to the price table, as for every token-priced call.
   */
  price?(request: RequestFacts, response: ResponseFacts, table: PriceTable): CallCost | undefined;
  /** USD to reserve before a call leaves, when the adapter knows it better than tokens × price (a metered API). */
  worstCaseUsd?(request: RequestFacts): number | undefined;
  /**
   * True when calls can be priced from the request and the response headers
   * alone (a metered API priced per request or by a header), so an empty or
   * hidden body is no reason to leave them unpriced.
   */
  readonly bodyOptional?: boolean;
}
