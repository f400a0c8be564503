import type { IncomingMessage } from 'node:http';
import type { ObservedCall } from '../call/call.js';
import { rawHeader } from './headers.js';

/**
 * Lets `call` read a `node:http` response as its bytes go by, without
 * changing how the app reads it. Node's parser hands every body chunk to
 * `response.push()`, whether the app reads with 'data', `pipe()`, async
 * iteration or not at all; a wrapper on this one response's `push` sees each
 * chunk after the stream has it, and returns what `push` returned, so
 * backpressure is untouched. No 'data' or 'error' listener is added: either
 * would change the stream (flowing mode; errors Node only emits to listeners).
 *
 * @example
 * observeResponse(call, response); // from the http.client.response.finish channel, before 'response'
 */
export function observeResponse(call: ObservedCall, response: IncomingMessage): void {
  call.responseStarted(response.statusCode ?? 0, (name) => rawHeader(response.rawHeaders, name));
  const original = response.push;
  const observing = function push(this: IncomingMessage, ...args: Parameters<IncomingMessage['push']>): boolean {
    try {
      return original.apply(this, args);
    } finally {
      const chunk = args[0];
      // Left in place after the end: deleting it would slow every later property access on the response.
      if (chunk === null) finished(call, response);
      else if (chunk instanceof Uint8Array) call.data(chunk);
    }
  };
  Object.defineProperty(response, 'push', { value: observing, writable: true, configurable: true, enumerable: false });
  // A body cut by the network or destroyed by the app closes the response before it is complete.
  response.once('close', () => {
    if (!response.complete) call.failed(response.errored ?? abortError());
  });
}

/** The body's end as Node marks it: complete when the parser saw the whole message. */
function finished(call: ObservedCall, response: IncomingMessage): void {
  if (response.complete) call.ended();
  else call.failed(response.errored ?? abortError());
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
