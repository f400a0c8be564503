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

/** One paid API: how to recognise its calls and read their usage. */
export interface ProviderAdapter {
  /** `gen_ai.provider.name` value, e.g. `openai`. */
  readonly name: string;
  /** The provider id in `@pydantic/genai-prices`. */
  readonly pricingId: string;
  /** Hosts served by this provider's public API. */
  readonly hosts: readonly string[];
  /**
   * The billable call a request path is, or undefined when it is not one
   * (listing models, uploading files…). `path` has no query string.
   */
  matchCall(method: string, path: string): { operation: OperationName; api: string } | undefined;
  /** Reads the facts from the request's JSON body (undefined when unreadable). */
  readRequest(call: { operation: OperationName; api: string }, body: unknown, bodyLength: number): RequestFacts;
  /** A reader for this call's response body. */
  createReader(request: RequestFacts, contentType: string | undefined): ResponseReader;
  /**
   * An error body in this provider's own shape, for a call costctl blocked:
   * the official SDK then raises its normal API error with this type and message.
   */
  errorBody(type: string, message: string): unknown;
}
