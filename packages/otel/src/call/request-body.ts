/** Request bodies larger than this are not parsed; their size alone feeds the estimate. */
const MAX_PARSED_BYTES = 4 * 1024 * 1024;

const decoder = new TextDecoder();

/** A request body as costctl reads it: parsed JSON when it is small text, and its size. */
export interface RequestBody {
  json: unknown;
  length: number;
}

/**
 * Reads a request body that is already in memory (a string or bytes, as the
 * official SDKs send; a FormData's text fields). Streams and blobs are not
 * read: consuming them would change what the app sends.
 */
export function readRequestBody(body: unknown): RequestBody {
  // A multipart form (audio and image uploads) is read for its text fields only: reading a FormData consumes nothing.
  if (body instanceof FormData) return { json: formFields(body), length: 0 };
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    text = bytes.byteLength <= MAX_PARSED_BYTES ? decoder.decode(bytes) : undefined;
  }

  if (text === undefined) return { json: undefined, length: byteLength(body) };
  if (text.length > MAX_PARSED_BYTES) return { json: undefined, length: text.length };
  try {
    return { json: JSON.parse(text), length: text.length };
  } catch {
    return { json: undefined, length: text.length };
  }
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
