import { tokenUsage } from '../token-usage.js';
import type { BilledUnits, MediaTokens, TokenUsage } from '../types.js';
import { countAt, isRecord, type JsonRecord, recordAt } from '../wire-values.js';

/** What an image or audio answer says it was billed: tokens, their media parts, other units. */
export interface MediaUsage {
  usage: TokenUsage | undefined;
  mediaTokens?: Partial<MediaTokens>;
  units?: BilledUnits;
}

/**
 * GPT Image usage (`/v1/images/*` and their stream's `*.completed` event):
 * `input_tokens` counts text and image tokens, `output_tokens` the image made —
 * image tokens unless `output_tokens_details` says otherwise.
 *
 * @example
 * imagesUsage({ input_tokens: 50, input_tokens_details: { text_tokens: 10, image_tokens: 40 }, output_tokens: 4160, total_tokens: 4210 })
 * // { usage: { input: 50, output: 4160, … }, mediaTokens: { inputImage: 40, outputImage: 4160 } }
 */
export function imagesUsage(usage: unknown): MediaUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = countAt(usage, 'input_tokens');
  const output = countAt(usage, 'output_tokens');
  if (input === undefined || output === undefined) return undefined;
  const outputDetails = recordAt(usage, 'output_tokens_details');
  return {
    usage: tokenUsage({ input, output }),
    mediaTokens: {
      inputImage: countAt(recordAt(usage, 'input_tokens_details'), 'image_tokens') ?? 0,
      outputImage: outputDetails === undefined ? output : (countAt(outputDetails, 'image_tokens') ?? 0),
    },
  };
}

/**
 * Transcription usage: `{type: 'tokens', input_tokens, input_token_details:
 * {audio_tokens}, output_tokens}` for token-billed models, `{type:
 * 'duration', seconds}` for models billed per minute (whisper-1), or only
 * `verbose_json`'s top-level `duration`.
 *
 * @example
 * transcriptionUsage({ text: 'Hi', usage: { type: 'duration', seconds: 12.5 } }) // { usage: undefined, units: { audio_seconds: 12.5 } }
 */
export function transcriptionUsage(body: JsonRecord): MediaUsage | undefined {
  const usage = recordAt(body, 'usage');
  const input = countAt(usage, 'input_tokens');
  const output = countAt(usage, 'output_tokens');
  if (input !== undefined && output !== undefined) {
    return {
      usage: tokenUsage({ input, output }),
      mediaTokens: { inputAudio: countAt(recordAt(usage, 'input_token_details'), 'audio_tokens') ?? 0 },
    };
  }
  const seconds = audioSeconds(usage?.['seconds']) ?? audioSeconds(body['duration']);
  return seconds === undefined ? undefined : { usage: undefined, units: { audio_seconds: seconds } };
}

/**
 * Speech usage, from the `speech.audio.done` event of an SSE speech stream:
 * the text read as input tokens, the audio made as output (audio) tokens.
 *
 * @example
 * speechUsage({ input_tokens: 14, output_tokens: 101, total_tokens: 115 }) // { usage: { input: 14, output: 101, … }, mediaTokens: { outputAudio: 101 } }
 */
export function speechUsage(usage: unknown): MediaUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = countAt(usage, 'input_tokens');
  const output = countAt(usage, 'output_tokens');
  if (input === undefined || output === undefined) return undefined;
  return { usage: tokenUsage({ input, output }), mediaTokens: { outputAudio: output } };
}

/** Seconds of audio: a finite number above zero (fractions kept), else undefined. */
function audioSeconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 1e9 ? value : undefined;
}
