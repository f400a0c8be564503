import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAiMedia, mediaUsage, startFakeOpenAiMedia } from './helpers/fake-openai-media.js';
import { sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let media: FakeOpenAiMedia;

beforeAll(async () => {
  media = await startFakeOpenAiMedia();
});

afterAll(async () => {
  await media.close();
});

// USD per million tokens, or per hour of audio, from @pydantic/genai-prices 0.1.8 (OpenAI's list prices).
const RATES = {
  'gpt-image-1': { text: 5, output: 40 },
  'gpt-4o-transcribe': { audio: 6, output: 10 },
  'gpt-4o-mini-transcribe': { audio: 3, output: 5 },
  'gpt-4o-mini-tts': { text: 0.6, output: 12 },
  'whisper-1': { hour: 0.36 },
};

const prompt = 'A lighthouse on a rocky coast at dawn, in watercolor';
const speech = 'Your monthly search budget is ninety percent spent.';

const CALLS = [
  { kind: 'image', params: { model: 'gpt-image-1', prompt, quality: 'medium' } },
  { kind: 'image', params: { model: 'gpt-image-1', prompt, quality: 'low', stream: true, partial_images: 1 } },
  { kind: 'image', params: { model: 'dall-e-3', prompt, size: '1024x1024' } },
  { kind: 'transcription', params: { model: 'whisper-1', response_format: 'verbose_json' }, uploadBytes: 30_000 },
  { kind: 'transcription', params: { model: 'gpt-4o-transcribe' }, uploadBytes: 12_000 },
  { kind: 'transcription', params: { model: 'gpt-4o-mini-transcribe', stream: true }, uploadBytes: 5_000 },
  { kind: 'transcriptionFromStream', params: { model: 'whisper-1' }, uploadBytes: 7_000 },
  { kind: 'speech', params: { model: 'tts-1', input: speech, voice: 'coral' } },
  { kind: 'speech', params: { model: 'gpt-4o-mini-tts', input: speech, voice: 'coral', stream_format: 'sse' } },
  { kind: 'batch', params: { input_file_id: 'file-7Nc3YFoaNZqCnmh2T5uvcD', endpoint: '/v1/chat/completions', completion_window: '24h' } },
];

describe('OpenAI images, audio and batches through the official client', () => {
  it('prices each from its tokens, seconds or characters — and says why when it cannot', async () => {
    const run = await runApp('test/apps/openai-media.mjs', {
      settled: (samples) => sum(samples, 'costctl_requests_total') === CALLS.length,
      env: { OPENAI_BASE_URL: `${media.url}/v1`, COSTCTL_ENDPOINTS: `openai=${media.url}/v1`, CALLS: JSON.stringify(CALLS) },
    });
    expect(run.lines.map((line) => line.ok)).toEqual(CALLS.map(() => true));
    expect(media.requests).toHaveLength(CALLS.length);
    const cost = (model: string) => sum(run.samples, 'costctl_cost_usd_total', { gen_ai_request_model: model, costctl_cost_source: 'price_table' });
    const unpriced = (reason: string, labels: Record<string, string> = {}) =>
      sum(run.samples, 'costctl_unpriced_requests_total', { costctl_reason: reason, ...labels });
    const units = (unit: string) => sum(run.samples, 'costctl_units_total', { costctl_unit: unit });

    const medium = mediaUsage('/v1/images/generations', { prompt, quality: 'medium' });
    const low = mediaUsage('/v1/images/generations', { prompt, quality: 'low' });
    expect(cost('gpt-image-1')).toBeCloseTo(
      ((medium.input + low.input) * RATES['gpt-image-1'].text + (medium.output + low.output) * RATES['gpt-image-1'].output) / 1e6,
      15,
    );
    expect(unpriced('unknown_model', { gen_ai_request_model: 'dall-e-3' })).toBe(1);
    expect(units('images')).toBe(2);

    // whisper-1 bills 30 seconds of audio; the same model sent as a file stream names no model costctl can read.
    expect(cost('whisper-1')).toBeCloseTo((30 * RATES['whisper-1'].hour) / 3600, 15);
    expect(unpriced('no_model', { gen_ai_operation_name: 'transcription' })).toBe(1);
    expect(units('audio_seconds')).toBe(30 + 7);
    const transcribe = mediaUsage('/v1/audio/transcriptions', {}, 12_000);
    expect(cost('gpt-4o-transcribe')).toBeCloseTo(
      (transcribe.input * RATES['gpt-4o-transcribe'].audio + transcribe.output * RATES['gpt-4o-transcribe'].output) / 1e6,
      15,
    );
    const mini = mediaUsage('/v1/audio/transcriptions', {}, 5_000);
    expect(cost('gpt-4o-mini-transcribe')).toBeCloseTo(
      (mini.input * RATES['gpt-4o-mini-transcribe'].audio + mini.output * RATES['gpt-4o-mini-transcribe'].output) / 1e6,
      15,
    );

    const tts = mediaUsage('/v1/audio/speech', { input: speech });
    expect(cost('gpt-4o-mini-tts')).toBeCloseTo((tts.input * RATES['gpt-4o-mini-tts'].text + tts.output * RATES['gpt-4o-mini-tts'].output) / 1e6, 15);
    expect(unpriced('unknown_model', { gen_ai_request_model: 'tts-1' })).toBe(1);
    expect(units('characters')).toBe(2 * speech.length);

    expect(unpriced('billed_later', { gen_ai_operation_name: 'batch' })).toBe(1);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(CALLS.length);
    // Seconds and characters never count as tokens.
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_request_model: 'whisper-1' })).toBe(0);
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_request_model: 'tts-1' })).toBe(0);
    expect(run.metricsText).not.toMatch(/sk-test-key|lighthouse|search budget/);
  });
});
