import { tokenUsage } from '../token-usage.js';
import type { BilledExtras, MediaTokens, TokenUsage } from '../types.js';
import { countAt, isRecord, type JsonRecord, recordAt } from '../wire-values.js';

/**
 * Where a provider keeps the parts of its usage that OpenAI keeps in
 * `*_tokens_details`, and whether its output total counts reasoning.
 */
export interface UsageParts {
  /** Input tokens read from the prompt cache, part of the input total. */
  cacheRead(usage: JsonRecord): number | undefined;
  /** All output tokens, reasoning included, from the reported output count and reasoning count. */
  output(usage: JsonRecord, reported: number, reasoning: number): number;
}

/** The keys of one API's usage object. */
interface UsageKeys {
  input: string;
  output: string;
  inputDetails: string;
  outputDetails: string;
}

const CHAT_KEYS: UsageKeys = {
  input: 'prompt_tokens',
  output: 'completion_tokens',
  inputDetails: 'prompt_tokens_details',
  outputDetails: 'completion_tokens_details',
};
const RESPONSES_KEYS: UsageKeys = {
  input: 'input_tokens',
  output: 'output_tokens',
  inputDetails: 'input_tokens_details',
  outputDetails: 'output_tokens_details',
};

/**
 * A Chat Completions (and legacy Completions) usage reader for a provider
 * whose parts sit elsewhere than OpenAI's; `prompt_tokens` is always the
 * whole input.
 *
 * @example
 * const deepseekUsage = chatUsageReader({ cacheRead: (usage) => countAt(usage, 'prompt_cache_hit_tokens') });
 */
export function chatUsageReader(parts: Partial<UsageParts>): (usage: unknown) => TokenUsage | undefined {
  return usageReader(CHAT_KEYS, parts);
}

/**
 * A Responses API usage reader for a provider whose parts depart from OpenAI's.
 *
 * @example
 * const xaiResponses = responsesUsageReader({ output: reasoningOutsideOutput });
 */
export function responsesUsageReader(parts: Partial<UsageParts>): (usage: unknown) => TokenUsage | undefined {
  return usageReader(RESPONSES_KEYS, parts);
}

function usageReader(keys: UsageKeys, parts: Partial<UsageParts>): (usage: unknown) => TokenUsage | undefined {
  const cacheRead = parts.cacheRead ?? ((usage: JsonRecord) => countAt(recordAt(usage, keys.inputDetails), 'cached_tokens'));
  const output = parts.output ?? ((_usage: JsonRecord, reported: number) => reported);
  return (usage) => {
    if (!isRecord(usage)) return undefined;
    const input = countAt(usage, keys.input);
    const reported = countAt(usage, keys.output);
    if (input === undefined || reported === undefined) return undefined;
    const reasoning = countAt(recordAt(usage, keys.outputDetails), 'reasoning_tokens') ?? 0;
    return tokenUsage({
      input,
      output: output(usage, reported, reasoning),
      cacheRead: cacheRead(usage),
      cacheWrite: countAt(recordAt(usage, keys.inputDetails), 'cache_write_tokens'),
      reasoning,
    });
  };
}

/**
 * Chat Completions (and legacy Completions) usage: `prompt_tokens` includes
 * the cached tokens, `completion_tokens` the reasoning tokens.
 *
 * @example
 * chatCompletionsUsage({ prompt_tokens: 2006, completion_tokens: 300,
 *   prompt_tokens_details: { cached_tokens: 1920 }, completion_tokens_details: { reasoning_tokens: 192 } })
 * // { input: 2006, output: 300, cacheRead: 1920, cacheWrite: 0, reasoning: 192 }
 */
export const chatCompletionsUsage: (usage: unknown) => TokenUsage | undefined = chatUsageReader({});

/**
 * Responses API usage: `input_tokens` includes the cached tokens,
 * `output_tokens` the reasoning tokens.
 *
 * @example
 * responsesUsage({ input_tokens: 36, output_tokens: 87, input_tokens_details: { cached_tokens: 0 } })
 * // { input: 36, output: 87, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export const responsesUsage: (usage: unknown) => TokenUsage | undefined = responsesUsageReader({});

/**
 * Embeddings usage: `prompt_tokens` only; an embedding has no output tokens.
 *
 * @example
 * embeddingsUsage({ prompt_tokens: 8, total_tokens: 8 }) // { input: 8, output: 0, … }
 */
export function embeddingsUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = countAt(usage, 'prompt_tokens');
  return input === undefined ? undefined : tokenUsage({ input, output: 0 });
}

/**
 * The audio and image parts OpenAI reports in a usage object's
 * `*_tokens_details` (Chat Completions' `prompt_tokens_details` /
 * `completion_tokens_details`, the Responses API's `input_tokens_details` /
 * `output_tokens_details`), for models that price them apart from text.
 *
 * @example
 * openAiUsageExtras({ prompt_tokens: 64, completion_tokens: 9, prompt_tokens_details: { audio_tokens: 44, cached_tokens: 0 } })
 * // { mediaTokens: { inputAudio: 44 } }
 */
export function openAiUsageExtras(usage: unknown): BilledExtras {
  if (!isRecord(usage)) return NO_EXTRAS;
  const input = recordAt(usage, 'prompt_tokens_details') ?? recordAt(usage, 'input_tokens_details');
  const output = recordAt(usage, 'completion_tokens_details') ?? recordAt(usage, 'output_tokens_details');
  // Read one by one: most answers have none of these, and then nothing is allocated.
  const inputAudio = countAt(input, 'audio_tokens') ?? 0;
  const inputImage = countAt(input, 'image_tokens') ?? 0;
  const outputAudio = countAt(output, 'audio_tokens') ?? 0;
  const outputImage = countAt(output, 'image_tokens') ?? 0;
  if (inputAudio + inputImage + outputAudio + outputImage === 0) return NO_EXTRAS;
  const media: Partial<MediaTokens> = {};
  if (inputAudio > 0) media.inputAudio = inputAudio;
  if (inputImage > 0) media.inputImage = inputImage;
  if (outputAudio > 0) media.outputAudio = outputAudio;
  if (outputImage > 0) media.outputImage = outputImage;
  return { mediaTokens: media };
}

const NO_EXTRAS: BilledExtras = Object.freeze({});
