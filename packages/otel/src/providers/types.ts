/**
 * The contract between the transport and each provider: what a request tells
 * us before it leaves, and what its response tells us as its bytes go by.
 */
import type { CallCost } from '../pricing/price-call.js';
import type { PriceTable } from '../pricing/price-table.js';

/**
 * `gen_ai.operation.name` values: the OTel GenAI semantic conventions' own,
 * costctl's for image and audio calls (the conventions have none yet), or the
 * `operation` a metered API declares in the config.
 */
export type OperationName =
  | 'chat'
  | 'text_completion'
  | 'embeddings'
  | 'generate_content'
  | 'image_generation'
  | 'transcription'
  | 'speech'
  | 'batch'
  | (string & {});

/**
 * Quantities a call is billed in besides tokens, by unit name: `audio_seconds`,
 * `characters`, `images`, or a metered API's own unit. Finite and never negative.
 */
export type BilledUnits = Readonly<Record<string, number>>;

/** The parts of a TokenUsage that some models price apart from text: image and audio tokens. */
export interface MediaTokens {
  /** Part of `input` that is image tokens. */
  inputImage: number;
  /** Part of `input` that is audio tokens. */
  inputAudio: number;
  /** Part of `output` that is image tokens. */
  outputImage: number;
  /** Part of `output` that is audio tokens. */
  outputAudio: number;
  /** Part of `input` that is video tokens. */
  inputVideo: number;
  /** Part of `output` that is video tokens. */
  outputVideo: number;
  /** Part of `cacheRead` (and of `inputAudio`) that is audio read from the cache. */
  cacheReadAudio: number;
  /** Part of `cacheRead` (and of `inputImage`) that is image tokens read from the cache. */
  cacheReadImage: number;
  /** Part of `cacheRead` (and of `inputVideo`) that is video read from the cache. */
  cacheReadVideo: number;
  /** Part of `cacheWrite` written to a one-hour cache (Anthropic), priced above the five-minute one. */
  cacheWrite1h: number;
}

/**
 * Tokens a call was billed for outside its top-level usage: an extra
 * sampling step (Anthropic's `compaction`), or a step run on another model
 * (the advisor tool's `advisor_message`), priced at its own model.
 */
export interface BilledStep {
  /** What the provider calls the step, e.g. `compaction`. */
  kind: string;
  /** The model the step ran on; absent when it is the call's own. */
  model?: string;
  usage: TokenUsage;
  /** Its image, audio and long-cache parts, when it has any. */
  mediaTokens?: Partial<MediaTokens>;
}

/** What a response bills besides its five token counts, as one usage reader finds it. */
export interface BilledExtras {
  units?: BilledUnits;
  mediaTokens?: Partial<MediaTokens>;
  steps?: readonly BilledStep[];
  /** The top-level usage is the sum of `steps` (Groq's compound systems): the steps alone are priced, each at its model. */
  stepsCoverUsage?: true;
  serviceTier?: string;
}

/** Token counts in one normalised shape, whatever the provider's wire format. */
export interface TokenUsage {
  /** All input tokens, cached ones included (the OTel `gen_ai.usage.input_tokens` meaning). */
  input: number;
  /** All output tokens, reasoning included. */
  output: number;
  /** Part of `input` read from the provider's prompt cache. */
  cacheRead: number;
  /** Part of `input` written to the provider's prompt cache. */
  cacheWrite: number;
  /** Part of `output` spent on reasoning. */
  reasoning: number;
}

/** What a request says about the call, read before any byte leaves. */
export interface RequestFacts {
  operation: OperationName;
  /** Which wire format the response will be in (adapter specific, e.g. `chat_completions`). */
  api: string;
  /** The model the app asked for, when the body names it. */
  model: string | undefined;
  stream: boolean;
  /** `max_tokens` / `max_output_tokens` / `max_completion_tokens` when set. */
  maxOutputTokens: number | undefined;
  /** Rough input size in tokens (characters / 4), for estimates of cut calls. */
  inputTokenEstimate: number;
  /** What the call is billed in besides tokens, when the request alone says (the characters a speech call reads aloud). */
  units?: BilledUnits;
  /** The processing tier the app asked for (`service_tier`: `flex`, `priority`…), so a reservation holds that tier's price. */
  serviceTier?: string;
}

/** What a response said about the call, once its body has ended (whole or cut). */
export interface ResponseFacts {
  /** The model the provider reports having used. */
  model: string | undefined;
  /** The provider's id for the response (`chatcmpl-…`, `msg_…`), never content. */
  responseId: string | undefined;
  /** Usage as reported by the provider; undefined when none arrived. */
  usage: TokenUsage | undefined;
  /** True when the provider's final usage arrived (a cut stream may carry partial usage). */
  usageComplete: boolean;
  /** Cost in USD reported by the provider itself (OpenRouter, xAI). */
  providerCostUsd: number | undefined;
  /** Output tokens estimated from the content seen, for calls without final usage. */
  outputTokenEstimate: number;
  /**
   * True when the body reached its protocol end (`data: [DONE]`), so a
   * transport error after it — the OpenAI client aborts once it has read
   * `[DONE]` — does not make the call a failure.
   */
  complete?: boolean;
  /**
   * The error type the provider reported inside the stream (an `error`
   * event after a 200): the call failed, though what it generated is still
   * counted and priced.
   */
  streamError?: string;
  /**
   * The processing tier the provider reports having served the call on
   * (OpenAI's `service_tier`: `default`, `flex`, `priority`…), which changes its price.
   */
  serviceTier?: string;
  /** What the call was billed in besides tokens (seconds of audio transcribed, images made, a meter's unit). */
  units?: BilledUnits;
  /** The image and audio parts of `usage`, for models that price them apart. */
  mediaTokens?: Partial<MediaTokens>;
  /** Steps billed outside `usage` (a compaction, an advisor's sub-call), each priced at its own model. */
  steps?: readonly BilledStep[];
  /** True when `usage` is the sum of `steps` rather than billed besides them (see BilledExtras). */
  stepsCoverUsage?: true;
}

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

/** Reads one response header by its lower-case name (several values joined by `, `). */
export type HeaderLookup = (name: string) => string | undefined;

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
