/**
 * OpenAI's image, audio and batch endpoints: which requests are billable,
 * and what their JSON or multipart bodies say before they leave.
 */
import { callBySuffix } from '../call-suffix.js';
import { tokensFromChars } from '../text-size.js';
import type { ProviderCall, RequestFacts } from '../types.js';
import { isRecord, type JsonRecord, stringAt } from '../wire-values.js';

/** The wire formats of OpenAI's image, audio and batch answers. */
export type OpenAiMediaApi = 'images' | 'transcriptions' | 'speech' | 'batches';

// Suffixes, as for the text APIs: a custom base URL puts any prefix before them.
const MEDIA_CALLS: readonly (readonly [string, ProviderCall])[] = [
  ['/images/generations', Object.freeze({ operation: 'image_generation', api: 'images' })],
  ['/images/edits', Object.freeze({ operation: 'image_generation', api: 'images' })],
  ['/images/variations', Object.freeze({ operation: 'image_generation', api: 'images' })],
  ['/audio/transcriptions', Object.freeze({ operation: 'transcription', api: 'transcriptions' })],
  ['/audio/translations', Object.freeze({ operation: 'transcription', api: 'transcriptions' })],
  ['/audio/speech', Object.freeze({ operation: 'speech', api: 'speech' })],
  // Creating a batch commits its spend; the file upload before it is not a call to a model.
  ['/batches', Object.freeze({ operation: 'batch', api: 'batches' })],
];

const MEDIA_APIS: ReadonlySet<string> = new Set<OpenAiMediaApi>(['images', 'transcriptions', 'speech', 'batches']);

/**
 * The billable image, audio or batch call a request is, by the end of its
 * path; undefined for everything else.
 *
 * @example
 * matchOpenAiMediaCall('POST', '/v1/audio/speech') // { operation: 'speech', api: 'speech' }
 * matchOpenAiMediaCall('POST', '/v1/batches/batch_abc/cancel') // undefined
 */
export function matchOpenAiMediaCall(method: string, path: string): ProviderCall | undefined {
  return callBySuffix(method, path, MEDIA_CALLS);
}

/**
 * True for the APIs read by the image, audio and batch readers rather than the text readers.
 *
 * @example
 * isOpenAiMediaApi('speech') // true
 * isOpenAiMediaApi('chat_completions') // false
 */
export function isOpenAiMediaApi(api: string): api is OpenAiMediaApi {
  return MEDIA_APIS.has(api);
}

/**
 * The facts of an image, audio or batch request: its model and stream flag
 * (form fields are strings: `stream=true`), the prompt size, and for speech
 * the characters it reads aloud — what `tts-1` is billed in. The body is
 * parsed JSON, or the text fields of a multipart form (files are not read).
 *
 * @example
 * readOpenAiMediaRequest({ operation: 'speech', api: 'speech' }, { model: 'tts-1', input: 'Hello!', voice: 'alloy' }, 52)
 * // { …, model: 'tts-1', stream: false, units: { characters: 6 } }
 */
export function readOpenAiMediaRequest(call: ProviderCall, body: unknown, bodyLength: number): RequestFacts {
  const facts: RequestFacts = {
    operation: call.operation,
    api: call.api,
    model: undefined,
    stream: false,
    maxOutputTokens: undefined,
    inputTokenEstimate: call.api === 'speech' || call.api === 'images' ? tokensFromChars(bodyLength) : 0,
  };
  if (!isRecord(body)) return facts;
  facts.model = stringAt(body, 'model');
  const text = stringAt(body, call.api === 'speech' ? 'input' : 'prompt') ?? '';
  facts.inputTokenEstimate = tokensFromChars(text.length);
  facts.stream = streams(call.api, body);
  if (call.api === 'speech') facts.units = { characters: text.length };
  return facts;
}

function streams(api: string, body: JsonRecord): boolean {
  if (api === 'speech') return body['stream_format'] === 'sse';
  const stream = body['stream'];
  return stream === true || stream === 'true';
}
