import { describe, expect, it } from 'vitest';
import { imagesUsage, speechUsage, transcriptionUsage } from './media-usage.js';

const tokens = (input: number, output: number) => ({ input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

describe('imagesUsage', () => {
  it('reads input image tokens, and output tokens as image tokens', () => {
    expect(imagesUsage({ input_tokens: 323, input_tokens_details: { image_tokens: 259, text_tokens: 64 }, output_tokens: 4160, total_tokens: 4483 })).toEqual({
      usage: tokens(323, 4160),
      mediaTokens: { inputImage: 259, outputImage: 4160 },
    });
  });

  it('takes the output image tokens from output_tokens_details when it is there', () => {
    const usage = {
      input_tokens: 20,
      input_tokens_details: { image_tokens: 0, text_tokens: 20 },
      output_tokens: 1100,
      output_tokens_details: { image_tokens: 1056, text_tokens: 44 },
    };
    expect(imagesUsage(usage)?.mediaTokens).toEqual({ inputImage: 0, outputImage: 1056 });
  });

  it.each([undefined, null, {}, { input_tokens: 5 }, { input_tokens: -5, output_tokens: 3 }])('gives nothing for %j', (value) => {
    expect(imagesUsage(value)).toBeUndefined();
  });
});

describe('transcriptionUsage', () => {
  it('reads token usage with its audio part', () => {
    expect(
      transcriptionUsage({
        text: 'x',
        usage: { type: 'tokens', input_tokens: 14, input_token_details: { text_tokens: 0, audio_tokens: 14 }, output_tokens: 45, total_tokens: 59 },
      }),
    ).toEqual({
      usage: tokens(14, 45),
      mediaTokens: { inputAudio: 14 },
    });
  });

  it('reads duration usage as seconds of audio, preferring it to verbose_json duration', () => {
    expect(transcriptionUsage({ text: 'x', usage: { type: 'duration', seconds: 9 }, duration: 8.47 })).toEqual({
      usage: undefined,
      units: { audio_seconds: 9 },
    });
    expect(transcriptionUsage({ text: 'x', duration: 8.47 })).toEqual({ usage: undefined, units: { audio_seconds: 8.47 } });
  });

  it.each([{ text: 'x' }, { text: 'x', duration: -1 }, { text: 'x', duration: 'long' }, { usage: { type: 'duration', seconds: Number.NaN } }])(
    'gives nothing for %j',
    (body) => {
      expect(transcriptionUsage(body)).toBeUndefined();
    },
  );
});

describe('speechUsage', () => {
  it('reads the done event usage: text in, audio out', () => {
    expect(speechUsage({ input_tokens: 14, output_tokens: 101, total_tokens: 115 })).toEqual({ usage: tokens(14, 101), mediaTokens: { outputAudio: 101 } });
    expect(speechUsage({ input_tokens: 14 })).toBeUndefined();
  });
});
