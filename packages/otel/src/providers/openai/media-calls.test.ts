import { describe, expect, it } from 'vitest';
import { isOpenAiMediaApi, matchOpenAiMediaCall, readOpenAiMediaRequest } from './media-calls.js';

describe('matchOpenAiMediaCall', () => {
  it.each([
    ['/v1/images/generations', 'image_generation', 'images'],
    ['/v1/images/edits', 'image_generation', 'images'],
    ['/v1/images/variations', 'image_generation', 'images'],
    ['/v1/audio/transcriptions', 'transcription', 'transcriptions'],
    ['/v1/audio/translations', 'transcription', 'transcriptions'],
    ['/v1/audio/speech', 'speech', 'speech'],
    ['/proxy/v1/audio/speech/', 'speech', 'speech'],
    ['/v1/batches', 'batch', 'batches'],
  ])('POST %s is %s (%s)', (path, operation, api) => {
    expect(matchOpenAiMediaCall('POST', path)).toEqual({ operation, api });
    expect(isOpenAiMediaApi(api)).toBe(true);
  });

  it.each([
    ['GET', '/v1/batches'],
    ['GET', '/v1/batches/batch_abc'],
    ['POST', '/v1/batches/batch_abc/cancel'],
    ['POST', '/v1/files'],
    ['GET', '/v1/audio/voices'],
    ['POST', '/v1/chat/completions'],
  ])('%s %s is not one', (method, path) => {
    expect(matchOpenAiMediaCall(method, path)).toBeUndefined();
  });

  it('leaves the text APIs to the text readers', () => {
    expect(isOpenAiMediaApi('chat_completions')).toBe(false);
  });
});

describe('readOpenAiMediaRequest', () => {
  it('reads a speech request: the characters read aloud are its billed units', () => {
    const input = 'Today is a wonderful day to build something people love!';
    expect(readOpenAiMediaRequest({ operation: 'speech', api: 'speech' }, { model: 'tts-1', input, voice: 'coral' }, 100)).toEqual({
      operation: 'speech',
      api: 'speech',
      model: 'tts-1',
      stream: false,
      maxOutputTokens: undefined,
      inputTokenEstimate: Math.ceil(input.length / 4),
      units: { characters: input.length },
    });
    expect(readOpenAiMediaRequest({ operation: 'speech', api: 'speech' }, { model: 'gpt-4o-mini-tts', input, stream_format: 'sse' }, 100).stream).toBe(true);
  });

  it('reads the text fields of a transcription form, where stream is the string "true"', () => {
    const form = { model: 'gpt-4o-transcribe', stream: 'true', response_format: 'json' };
    expect(readOpenAiMediaRequest({ operation: 'transcription', api: 'transcriptions' }, form, 0)).toMatchObject({
      model: 'gpt-4o-transcribe',
      stream: true,
      inputTokenEstimate: 0,
    });
    const whisper = readOpenAiMediaRequest({ operation: 'transcription', api: 'transcriptions' }, { model: 'whisper-1' }, 0);
    expect(whisper.stream).toBe(false);
    expect(whisper.units).toBeUndefined();
  });

  it('reads an image request: model, stream flag and prompt size', () => {
    const prompt = "A children's book drawing of a veterinarian using a stethoscope to listen to the heartbeat of a baby otter.";
    expect(readOpenAiMediaRequest({ operation: 'image_generation', api: 'images' }, { model: 'gpt-image-1', prompt, stream: true }, 200)).toMatchObject({
      model: 'gpt-image-1',
      stream: true,
      inputTokenEstimate: Math.ceil(prompt.length / 4),
    });
  });

  it('reads nothing from a body it cannot see (a streamed multipart upload)', () => {
    expect(readOpenAiMediaRequest({ operation: 'transcription', api: 'transcriptions' }, undefined, 0)).toMatchObject({ model: undefined, stream: false });
  });
});
