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
 * official SDKs send). Streams, forms and blobs are not read: consuming them
 * would change what the app sends.
 */
export function readRequestBody(body: unknown): RequestBody {
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
