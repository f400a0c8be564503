import type { ProviderAdapter, ProviderCall, RequestFacts } from '../providers/types.js';
import { parseJson } from '../providers/wire-values.js';

/** Request bodies larger than this are not parsed; their size alone feeds the estimate. */
const MAX_PARSED_BYTES = 4 * 1024 * 1024;

const decoder = new TextDecoder();

/** A request body as costctl reads it: parsed JSON when it is small text, and its size. */
export interface RequestBody {
  json: unknown;
  length: number;
}

/**
 * The facts of a billable request from its body: read from the JSON text
 * without parsing it whole when the adapter can (a big prompt is then
 * stepped over, and parsed only if its input estimate is asked for), else
 * from the parsed body, as `readRequestBody` gives it.
 *
 * @example
 * readRequestFacts(openaiAdapter, { operation: 'chat', api: 'chat_completions' }, '{"messages":[],"model":"gpt-4o-mini"}').model // 'gpt-4o-mini'
 */
export function readRequestFacts(adapter: ProviderAdapter, call: ProviderCall, body: unknown): RequestFacts {
  const text = adapter.readRequestText === undefined || body instanceof FormData ? undefined : textOf(body);
  if (text !== undefined) {
    const facts = adapter.readRequestText?.(call, text);
    if (facts !== undefined) return facts;
    return adapter.readRequest(call, parseJson(text), text.length);
  }
  const { json, length } = readRequestBody(body);
  return adapter.readRequest(call, json, length);
}

/**
 * Reads a request body that is already in memory (a string or bytes, as the
 * official SDKs send; a FormData's text fields). Streams and blobs are not
 * read: consuming them would change what the app sends.
 */
export function readRequestBody(body: unknown): RequestBody {
  // A multipart form (audio and image uploads) is read for its text fields only: reading a FormData consumes nothing.
  if (body instanceof FormData) return { json: formFields(body), length: 0 };
  const text = textOf(body);
  if (text === undefined) return { json: undefined, length: typeof body === 'string' ? body.length : byteLength(body) };
  return { json: parseJson(text), length: text.length };
}

/** The body's text when it is a string or bytes no longer than MAX_PARSED_BYTES. */
function textOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.length <= MAX_PARSED_BYTES ? body : undefined;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return bytes.byteLength <= MAX_PARSED_BYTES ? decoder.decode(bytes) : undefined;
  }
  return undefined;
}

function byteLength(body: unknown): number {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  return 0;
}

/** The text fields of a form (`model`, `stream`, `response_format`…); files are left unread. */
function formFields(form: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of form) if (typeof value === 'string') fields[name] = value;
  return fields;
}
