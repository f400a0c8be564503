/**
 * The contract between the transport and each provider: what a request tells
 * us before it leaves, and what its response tells us as its bytes go by.
 */

/** `gen_ai.operation.name` values (OTel GenAI semantic conventions). */
export type OperationName = 'chat' | 'text_completion' | 'embeddings' | 'generate_content';

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
}
