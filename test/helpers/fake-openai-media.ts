/**
 * A fake OpenAI API for images, audio and batches, in OpenAI's wire format,
 * for the official `openai` client unmodified.
 *
 * Accounting, so tests can price calls themselves (`mediaUsage`):
 * - images (GPT Image): input = ceil(prompt / 4) text tokens; output by
 *   quality, as OpenAI bills a 1024×1024 image: low 272, medium 1056, high 4160;
 *   DALL·E answers with a URL per image and no usage;
 * - transcriptions: the upload's size in bytes / 1000 is its seconds of audio,
 *   rounded up; whisper-1 reports them as `duration` usage, the GPT
 *   transcribe models as tokens: 10 audio tokens a second, 3 output tokens a second;
 * - speech: audio bytes for `tts-1`; for `stream_format: sse`, input =
 *   ceil(input / 4) tokens and output = 20 audio tokens per word.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocally, readBody, sendJson } from './local-server.js';

const OUTPUT_BY_QUALITY: Readonly<Record<string, number>> = { low: 272, medium: 1056, high: 4160, auto: 1056 };
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export interface MediaRequest {
  path: string;
  model: string | undefined;
}

export interface FakeOpenAiMedia {
  url: string;
  requests: MediaRequest[];
  close(): Promise<void>;
}

/** What the fake bills a call: tokens, with their media parts, or seconds of audio. */
export function mediaUsage(path: string, fields: Readonly<Record<string, unknown>>, uploadBytes = 0) {
  if (path.endsWith('/images/generations')) {
    return { input: Math.ceil(String(fields.prompt ?? '').length / 4), output: OUTPUT_BY_QUALITY[String(fields.quality ?? 'auto')] ?? 1056 };
  }
  if (path.endsWith('/audio/transcriptions')) {
    const seconds = Math.ceil(uploadBytes / 1000);
    return { seconds, input: seconds * 10, output: seconds * 3 };
  }
  const input = String(fields.input ?? '');
  return { input: Math.ceil(input.length / 4), output: 20 * input.split(' ').length };
}

/**
 * Starts the fake on 127.0.0.1 (any free port).
 *
 * @example
 * const media = await startFakeOpenAiMedia();
 * const openai = new OpenAI({ apiKey: 'test', baseURL: `${media.url}/v1` });
 */
export async function startFakeOpenAiMedia(): Promise<FakeOpenAiMedia> {
  const requests: MediaRequest[] = [];
  const server = await listenLocally((req, res) => answer(req, res, requests));
  return { ...server, requests };
}

async function answer(req: IncomingMessage, res: ServerResponse, requests: MediaRequest[]): Promise<void> {
  const raw = await readBody(req);
  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  const multipart = /multipart\/form-data; boundary=(.+)$/.exec(req.headers['content-type'] ?? '');
  const { fields, uploadBytes }: { fields: Record<string, unknown>; uploadBytes: number } = multipart
    ? readForm(raw, multipart[1]!)
    : { fields: JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>, uploadBytes: 0 };
  const model = typeof fields.model === 'string' ? fields.model : undefined;
  requests.push({ path, model });
  const usage = mediaUsage(path, fields, uploadBytes);

  if (path.endsWith('/images/generations')) {
    if (model?.startsWith('dall-e'))
      return sendJson(res, { created: 1751013899, data: [{ revised_prompt: String(fields.prompt), url: 'https://example.invalid/img.png' }] });
    const imageUsage = {
      input_tokens: usage.input,
      input_tokens_details: { image_tokens: 0, text_tokens: usage.input },
      output_tokens: usage.output,
      total_tokens: usage.input + usage.output,
    };
    const image = { background: 'opaque', output_format: 'png', quality: fields.quality ?? 'medium', size: '1024x1024' };
    if (fields.stream === true) {
      return sendEvents(
        res,
        [
          ['image_generation.partial_image', { b64_json: PIXEL, created_at: 1751012512, ...image, partial_image_index: 0 }],
          ['image_generation.completed', { b64_json: PIXEL, created_at: 1751012530, ...image, usage: imageUsage }],
        ],
        true,
      );
    }
    return sendJson(res, { created: 1751012512, ...image, data: [{ b64_json: PIXEL }], usage: imageUsage });
  }
  if (path.endsWith('/audio/transcriptions')) {
    const text = 'The beach was a popular spot on a hot summer day.';
    const tokens = {
      type: 'tokens',
      input_tokens: usage.input,
      input_token_details: { text_tokens: 0, audio_tokens: usage.input },
      output_tokens: usage.output,
      total_tokens: usage.input + usage.output,
    };
    if (fields.stream === 'true') {
      return sendEvents(
        res,
        [
          ...text.split(' ').map((word): [string, object] => ['transcript.text.delta', { delta: ` ${word}`, logprobs: [] }]),
          ['transcript.text.done', { text, logprobs: [], usage: tokens }],
        ],
        false,
      );
    }
    if (model === 'whisper-1') {
      const duration = { type: 'duration', seconds: usage.seconds };
      return sendJson(
        res,
        fields.response_format === 'verbose_json'
          ? { task: 'transcribe', language: 'english', duration: usage.seconds! - 0.53, text, segments: [], usage: duration }
          : { text, usage: duration },
      );
    }
    return sendJson(res, { text, usage: tokens });
  }
  if (path.endsWith('/audio/speech')) {
    if (fields.stream_format === 'sse') {
      return sendEvents(
        res,
        [
          ['speech.audio.delta', { audio: PIXEL }],
          ['speech.audio.done', { usage: { input_tokens: usage.input, output_tokens: usage.output, total_tokens: usage.input + usage.output } }],
        ],
        false,
      );
    }
    res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.alloc(2048, 0xff));
    return;
  }
  if (path.endsWith('/batches')) {
    return sendJson(res, {
      id: 'batch_6861b7ab35ec8190b6ef8a3ad5d2b8a5',
      object: 'batch',
      endpoint: fields.endpoint,
      errors: null,
      input_file_id: fields.input_file_id,
      completion_window: '24h',
      status: 'validating',
      created_at: 1751233451,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: null,
    });
  }
  res
    .writeHead(404, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error', param: null, code: null } }));
}

/** The text fields of a multipart body, and the size of its file part. */
function readForm(raw: Buffer, boundary: string): { fields: Record<string, string>; uploadBytes: number } {
  const fields: Record<string, string> = {};
  let uploadBytes = 0;
  const text = raw.toString('latin1');
  for (const part of text.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (name === undefined) continue;
    if (/filename="/.test(head)) uploadBytes = value.length;
    else fields[name] = value;
  }
  return { fields, uploadBytes };
}

/** An SSE answer: `event:` lines for images (as OpenAI names them), `data:` only for audio. */
function sendEvents(res: ServerResponse, events: [string, object][], named: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [type, data] of events) res.write(`${named ? `event: ${type}\n` : ''}data: ${JSON.stringify({ type, ...data })}\n\n`);
  res.end();
}
