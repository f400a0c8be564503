import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priceCall } from '../../pricing/price-call.js';
import { PriceTable } from '../../pricing/price-table.js';
import type { RequestFacts, ResponseFacts } from '../types.js';
import { openaiAdapter } from './adapter.js';
import { readOpenAiMediaRequest } from './media-calls.js';

const table = new PriceTable();

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

function request(path: string, body: Record<string, unknown>): RequestFacts {
  const call = openaiAdapter.matchCall('POST', path);
  if (call === undefined) throw new Error(`${path} is not billable`);
  return openaiAdapter.readRequest(call, body, JSON.stringify(body).length);
}

function read(facts: RequestFacts, contentType: string | undefined, body: Uint8Array | string): ResponseFacts {
  const reader = openaiAdapter.createReader(facts, contentType);
  reader.push(typeof body === 'string' ? new TextEncoder().encode(body) : body);
  return reader.finish();
}

function price(facts: RequestFacts, contentType: string | undefined, body: Uint8Array | string) {
  return priceCall(openaiAdapter, facts, read(facts, contentType, body), table);
}

// Rates of @pydantic/genai-prices 0.1.8, USD per million tokens unless said otherwise.
const GPT_IMAGE_1 = { text: 5, image: 10, output: 40 };

describe('OpenAI images', () => {
  const generate = request('/v1/images/generations', { model: 'gpt-image-1', prompt: 'A lighthouse at dawn', quality: 'medium' });

  it('prices a generation from its text input and image output tokens', () => {
    const cost = price(generate, 'application/json', fixture('images-generation.json'));
    expect(cost).toMatchObject({ model: 'gpt-image-1', usage: { input: 50, output: 1056 }, unpricedReason: undefined, units: { images: 1 } });
    expect(cost.cost).toEqual({
      usd: expect.closeTo((50 * GPT_IMAGE_1.text + 1056 * GPT_IMAGE_1.output) / 1e6, 15),
      source: 'price_table',
      pricedModel: 'gpt-image-1',
    });
  });

  it('prices the input image tokens of an edit at the image rate', () => {
    const edit = request('/v1/images/edits', { model: 'gpt-image-1', prompt: 'Add a red door', quality: 'high' });
    const cost = price(edit, 'application/json', fixture('images-edit.json'));
    expect(cost.cost?.usd).toBeCloseTo((64 * GPT_IMAGE_1.text + 259 * GPT_IMAGE_1.image + 4160 * GPT_IMAGE_1.output) / 1e6, 15);
  });

  it('prices a stream from its completed event', () => {
    const stream = request('/v1/images/generations', { model: 'gpt-image-1', prompt: 'A lighthouse at dawn', stream: true, partial_images: 1 });
    const facts = read(stream, 'text/event-stream', fixture('images-stream.sse'));
    expect(facts).toMatchObject({ usage: { input: 50, output: 1056 }, usageComplete: true, complete: true, mediaTokens: { inputImage: 0, outputImage: 1056 } });
    expect(priceCall(openaiAdapter, stream, facts, table).cost?.usd).toBeCloseTo((50 * GPT_IMAGE_1.text + 1056 * GPT_IMAGE_1.output) / 1e6, 15);
  });

  it('counts DALL·E images and says the price data has no price for them — never $0', () => {
    const dalle = request('/v1/images/generations', { model: 'dall-e-3', prompt: 'A lighthouse at dawn', size: '1024x1024' });
    expect(price(dalle, 'application/json', fixture('images-dall-e.json'))).toMatchObject({
      cost: undefined,
      unpricedReason: 'unknown_model',
      units: { images: 1 },
    });
  });

  it('says a GPT Image answer without usage had none, rather than estimating it', () => {
    expect(price(generate, 'application/json', '{"created":1751012512,"data":[{"b64_json":"AAAA"}]}')).toMatchObject({
      cost: undefined,
      unpricedReason: 'no_usage',
    });
  });

  it('reads the usage of a body too large to parse from its tail', () => {
    const big = `{"created":1,"data":[{"b64_json":"${'A'.repeat(33 * 1024 * 1024)}"}],"usage":{"input_tokens":50,"input_tokens_details":{"image_tokens":0,"text_tokens":50},"output_tokens":1056,"total_tokens":1106}}`;
    expect(read(generate, 'application/json', big)).toMatchObject({ usage: { input: 50, output: 1056 }, usageComplete: true });
  });
});

describe('OpenAI transcriptions', () => {
  it('prices gpt-4o-transcribe from its audio and output tokens', () => {
    const facts = request('/v1/audio/transcriptions', { model: 'gpt-4o-transcribe', response_format: 'json' });
    // gpt-4o-transcribe: audio input $6/M, text output $10/M.
    expect(price(facts, 'application/json', fixture('transcription.json')).cost?.usd).toBeCloseTo((14 * 6 + 45 * 10) / 1e6, 15);
  });

  it('prices a transcription stream from transcript.text.done', () => {
    const facts = request('/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe', stream: 'true' });
    // gpt-4o-mini-transcribe: audio input $3/M, text output $5/M.
    expect(price(facts, 'text/event-stream', fixture('transcription-stream.sse')).cost?.usd).toBeCloseTo((14 * 3 + 45 * 5) / 1e6, 15);
  });

  it.each(['transcription-whisper.json', 'transcription-verbose.json'])('prices whisper-1 per second of audio (%s)', (file) => {
    const facts = request('/v1/audio/transcriptions', { model: 'whisper-1' });
    const cost = price(facts, 'application/json', fixture(file));
    // whisper-1: $0.006 a minute ($0.36 an hour); usage says 9 seconds.
    expect(cost).toMatchObject({ usage: { input: 0, output: 0 }, units: { audio_seconds: 9 }, unpricedReason: undefined });
    expect(cost.cost?.usd).toBeCloseTo((9 * 0.36) / 3600, 15);
  });

  it('says a plain-text transcript carried no usage', () => {
    const facts = request('/v1/audio/transcriptions', { model: 'whisper-1', response_format: 'text' });
    expect(price(facts, 'text/plain; charset=utf-8', 'The beach was a popular spot on a hot summer day.\n')).toMatchObject({
      cost: undefined,
      unpricedReason: 'no_usage',
    });
  });

  it('says a transcription whose model it could not read (a streamed upload) names none', () => {
    const facts = readOpenAiMediaRequest({ operation: 'transcription', api: 'transcriptions' }, undefined, 0);
    expect(price(facts, 'application/json', fixture('transcription-whisper.json'))).toMatchObject({ unpricedReason: 'no_model', units: { audio_seconds: 9 } });
  });
});

describe('OpenAI speech', () => {
  const input = 'Today is a wonderful day to build something people love!';

  it('prices an SSE speech stream from speech.audio.done', () => {
    const facts = request('/v1/audio/speech', { model: 'gpt-4o-mini-tts', input, voice: 'coral', stream_format: 'sse' });
    const cost = price(facts, 'text/event-stream', fixture('speech-stream.sse'));
    // gpt-4o-mini-tts: text input $0.60/M, audio output $12/M.
    expect(cost.cost?.usd).toBeCloseTo((14 * 0.6 + 101 * 12) / 1e6, 15);
    expect(cost.units).toEqual({ characters: input.length });
  });

  it('counts the characters of tts-1, which the price data does not price', () => {
    const facts = request('/v1/audio/speech', { model: 'tts-1', input, voice: 'coral' });
    expect(price(facts, 'audio/mpeg', new Uint8Array([0xff, 0xf3, 0x44, 0xc4]))).toMatchObject({
      cost: undefined,
      unpricedReason: 'unknown_model',
      units: { characters: input.length },
    });
  });

  it('says plain audio from a token-priced model carried no usage', () => {
    const facts = request('/v1/audio/speech', { model: 'gpt-4o-mini-tts', input, voice: 'coral' });
    expect(price(facts, 'audio/mpeg', new Uint8Array([0xff, 0xf3]))).toMatchObject({ cost: undefined, unpricedReason: 'no_usage' });
  });
});

describe('OpenAI batches', () => {
  it('counts the creation of a batch as spend billed later, never as $0 and never from the batch usage', () => {
    const facts = request('/v1/batches', { input_file_id: 'file-7Nc3YFoaNZqCnmh2T5uvcD', endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(facts).toMatchObject({ operation: 'batch', model: undefined });
    const cost = price(facts, 'application/json', fixture('batch.json'));
    expect(cost).toMatchObject({ cost: undefined, unpricedReason: 'billed_later', usage: { input: 0, output: 0 } });
    expect(read(facts, 'application/json', fixture('batch.json')).responseId).toBe('batch_6861b7ab35ec8190b6ef8a3ad5d2b8a5');
  });
});
