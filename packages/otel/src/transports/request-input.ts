/**
 * `fetch(request)` with a `Request` object, as `@smithy/fetch-http-handler`
 * (the AWS SDKs' fetch handler) calls it: the body is a stream inside the
 * Request, and on Node 24 the Request's own dispatcher cannot be read.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ObservedCall } from '../call/call.js';

/** Most of a Request's body copied for its facts: the cap request bodies are parsed under anyway. */
const MAX_COPY_BYTES = 4 * 1024 * 1024;

/**
 * The call a `fetch(request)` belongs to while undici works on it, when the
 * Request's dispatcher could not be read (so no observing dispatcher was put
 * in its way): undici's diagnostics channels see its request inside this
 * async context and adopt the call the wrapper already admitted, reservation
 * and all, instead of starting another.
 *
 * @example
 * requestInputCall.run(call, () => original(request)); // undici:request:create then finds `call`
 */
export const requestInputCall = new AsyncLocalStorage<ObservedCall>();

/**
 * True when fetch takes its body from a Request's stream (not from `init.body`).
 *
 * @example
 * hasStreamBody(new Request(url, { method: 'POST', body: '{}' }), undefined) // true
 */
export function hasStreamBody(input: unknown, init: RequestInit | undefined): input is Request {
  return input instanceof Request && input.body !== null && !(init !== undefined && 'body' in init);
}

/**
 * A copy of a Request's body, read from a clone so that the Request keeps
 * its own body, byte for byte, for the app's fetch; undefined when it is
 * larger than 4 MiB (the read stops there) or cannot be read.
 *
 * @example
 * const bytes = await copyRequestBody(request); // then readRequestBody(bytes)
 */
export async function copyRequestBody(request: Request): Promise<Uint8Array | undefined> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    reader = request.clone().body?.getReader();
    if (reader === undefined) return undefined;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      size += next.value.byteLength;
      if (size > MAX_COPY_BYTES) {
        // Only the copy is cancelled, and not awaited: a tee's cancel settles once the Request's own branch is read too.
        reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(next.value);
    }
    return Buffer.concat(chunks);
  } catch {
    // A body already used, or a stream that errored: the app's fetch will say so itself.
    return undefined;
  }
}
