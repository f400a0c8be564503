import { IncomingMessage } from 'node:http';
import type { ObservedCall } from '../call/call.js';
import { rawHeader } from './headers.js';
import { sharedPatch } from './shared-patch.js';

type Push = (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) => boolean;

/** The calls whose responses are being read, by response. */
const calls = new WeakMap<IncomingMessage, ObservedCall>();
/** Responses observed and not yet ended or closed: while none are, `push` costs Node one variable read more. */
let observing = 0;

/**
 * Puts the `push` wrapper on `IncomingMessage.prototype` (once for every
 * install); the function returned takes it off after the last install,
 * where nobody has replaced it since.
 *
 * @example
 * const restore = watchResponses();
 * restore();
 */
export const watchResponses = sharedPatch(patchPush);

/**
 * Node's parser hands every body chunk to `response.push()`, whether the
 * app reads with 'data', `pipe()`, async iteration or not at all; the
 * wrapper sees each chunk after the stream has it, and returns what `push`
 * returned, so backpressure is untouched. Shared by every response, on the
 * prototype: no property is added to a response. Undone, a wrapper that
 * another patch still calls only passes calls on.
 */
function patchPush(): () => void {
  const prototype = IncomingMessage.prototype as unknown as { push: Push };
  const next = prototype.push;
  let active = true;
  const wrapper = function push(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    const result = next.call(this, chunk, encoding);
    if (active && observing !== 0) {
      const call = calls.get(this);
      if (call !== undefined) {
        if (chunk === null) finished(this, call);
        else if (chunk instanceof Uint8Array) call.data(chunk);
      }
    }
    return result;
  };
  const owned = Object.getOwnPropertyDescriptor(prototype, 'push');
  Object.defineProperty(prototype, 'push', { value: wrapper, writable: true, configurable: true, enumerable: false });
  return () => {
    active = false;
    if (prototype.push !== wrapper) return;
    if (owned === undefined) delete (prototype as { push?: Push }).push;
    else Object.defineProperty(prototype, 'push', owned);
  };
}

/**
 * Lets `call` read a `node:http` response as its bytes go by, without
 * changing how the app reads it: no 'data' or 'error' listener is added,
 * either would change the stream (flowing mode; errors Node only emits to
 * listeners). Needs `watchResponses()` installed.
 *
 * @example
 * observeResponse(call, response); // from the http.client.response.finish channel, before 'response'
 */
export function observeResponse(call: ObservedCall, response: IncomingMessage): void {
  call.responseStarted(response.statusCode ?? 0, (name) => rawHeader(response.rawHeaders, name));
  calls.set(response, call);
  observing += 1;
  // A body cut by the network or destroyed by the app closes the response before it is complete.
  response.on('close', onClose);
}

function onClose(this: IncomingMessage): void {
  const call = calls.get(this);
  if (call === undefined) return;
  stopObserving(this);
  if (!this.complete) call.failed(this.errored ?? abortError());
}

/** The body's end as Node marks it: complete when the parser saw the whole message. */
function finished(response: IncomingMessage, call: ObservedCall): void {
  stopObserving(response);
  if (response.complete) call.ended();
  else call.failed(response.errored ?? abortError());
}

function stopObserving(response: IncomingMessage): void {
  calls.delete(response);
  observing -= 1;
}

/**
 * What a call the app gave up on without an error failed with (as `fetch` names it).
 *
 * @example
 * call.failed(response.errored ?? abortError()); // errorType 'AbortError'
 */
export function abortError(): Error {
  const error = new Error('The request was aborted');
  error.name = 'AbortError';
  return error;
}
