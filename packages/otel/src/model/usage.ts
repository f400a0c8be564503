// What a request tells before it leaves, and its response as its bytes go by: the shapes every stage reads.

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

/** Reads one response header by its lower-case name (several values joined by `, `). */
export type HeaderLookup = (name: string) => string | undefined;
