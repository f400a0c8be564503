import type { ObservedCall } from '../call/call.js';
import { objectHeader, rawHeader } from './headers.js';

/**
 * Handler wrappers that let one call's response bytes go by on their way to
 * the app. They forward every callback first, with the arguments undici
 * passes it (no rest array or `apply` per callback), as a method of the app's
 * handler, and only then (even if it threw) look at what went by;
 * `ObservedCall` catches its own errors, so nothing of costctl's is passed on. Two shapes exist because
 * undici has two handler APIs (v6's `onHeaders`/`onData`/`onComplete`, v7's
 * `onResponseStart`/`onResponseData`/`onResponseEnd`), and undici picks the
 * API by looking at which methods a handler has.
 */

type Handler = Record<string, ((...args: unknown[]) => unknown) | undefined>;

/** A v6-style (legacy) handler that observes `call`. */
class LegacyObservingHandler {
  readonly #handler: Handler;
  readonly #call: ObservedCall;

  constructor(handler: Handler, call: ObservedCall) {
    this.#handler = handler;
    this.#call = call;
  }

  onConnect(abort: unknown, context: unknown): unknown {
    if (typeof abort === 'function') this.#call.abort = abort as (reason: Error) => void;
    return this.#handler.onConnect?.(abort, context);
  }

  onResponseStarted(): unknown {
    return this.#handler.onResponseStarted?.();
  }

  onHeaders(statusCode: number, rawHeaders: unknown, resume: unknown, statusText: unknown): unknown {
    try {
      return this.#handler.onHeaders?.(statusCode, rawHeaders, resume, statusText);
    } finally {
      this.#call.responseStarted(statusCode, (name) => rawHeader(rawHeaders, name));
    }
  }

  onData(chunk: Uint8Array): unknown {
    try {
      return this.#handler.onData?.(chunk);
    } finally {
      this.#call.data(chunk);
    }
  }

  onComplete(trailers: unknown): unknown {
    try {
      return this.#handler.onComplete?.(trailers);
    } finally {
      this.#call.ended();
    }
  }

  onError(error: unknown): unknown {
    try {
      return this.#handler.onError?.(error);
    } finally {
      this.#call.failed(error);
    }
  }

  onUpgrade(statusCode: unknown, rawHeaders: unknown, socket: unknown): unknown {
    return this.#handler.onUpgrade?.(statusCode, rawHeaders, socket);
  }

  onBodySent(chunk: unknown): unknown {
    return this.#handler.onBodySent?.(chunk);
  }

  onRequestSent(): unknown {
    return this.#handler.onRequestSent?.();
  }
}

/** A v7-style handler that observes `call`. */
class ControllerObservingHandler {
  readonly #handler: Handler;
  readonly #call: ObservedCall;

  constructor(handler: Handler, call: ObservedCall) {
    this.#handler = handler;
    this.#call = call;
  }

  onRequestStart(controller: unknown, context: unknown): unknown {
    const observed = controller as { abort?: (reason: Error) => void } | undefined;
    if (typeof observed?.abort === 'function') this.#call.abort = (reason) => observed.abort!(reason);
    return this.#handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: unknown, statusCode: unknown, headers: unknown, socket: unknown): unknown {
    return this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: unknown, statusCode: number, headers: unknown, statusMessage: unknown): unknown {
    try {
      return this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
    } finally {
      this.#call.responseStarted(statusCode, (name) => objectHeader(headers, name));
    }
  }

  onResponseData(controller: unknown, chunk: Uint8Array): unknown {
    try {
      return this.#handler.onResponseData?.(controller, chunk);
    } finally {
      this.#call.data(chunk);
    }
  }

  onResponseEnd(controller: unknown, trailers: unknown): unknown {
    try {
      return this.#handler.onResponseEnd?.(controller, trailers);
    } finally {
      this.#call.ended();
    }
  }

  onResponseError(controller: unknown, error: unknown): unknown {
    try {
      return this.#handler.onResponseError?.(controller, error);
    } finally {
      this.#call.failed(error);
    }
  }
}

/** Wraps `handler` in the observing handler of the same API shape. */
export function observingHandler(handler: object, call: ObservedCall): object {
  const target = handler as Handler;
  return typeof target.onRequestStart === 'function' ? new ControllerObservingHandler(target, call) : new LegacyObservingHandler(target, call);
}
