import type { ObservedCall } from '../call/call.js';
import { objectHeader, rawHeader } from './headers.js';

/**
 * Handler wrappers that let one call's response bytes go by on their way to
 * the app. They forward every callback first, unchanged, with the app's
 * handler as `this`, and only then (even if it threw) look at what went by;
 * `ObservedCall` catches its own errors, so nothing of costctl's is passed on. Two shapes exist because
 * undici has two handler APIs (v6's `onHeaders`/`onData`/`onComplete`, v7's
 * `onResponseStart`/`onResponseData`/`onResponseEnd`), and undici picks the
 * API by looking at which methods a handler has.
 */

type Callback = (...args: never[]) => unknown;
type Handler = Record<string, Callback | undefined>;

function forward(handler: Handler, method: string, args: unknown[]): unknown {
  const callback = handler[method] as ((...args: unknown[]) => unknown) | undefined;
  return callback?.apply(handler, args);
}

/** A v6-style (legacy) handler that observes `call`. */
class LegacyObservingHandler {
  readonly #handler: Handler;
  readonly #call: ObservedCall;

  constructor(handler: Handler, call: ObservedCall) {
    this.#handler = handler;
    this.#call = call;
  }

  onConnect(...args: unknown[]): unknown {
    const [abort] = args;
    if (typeof abort === 'function') this.#call.abort = abort as (reason: Error) => void;
    return forward(this.#handler, 'onConnect', args);
  }

  onResponseStarted(...args: unknown[]): unknown {
    return forward(this.#handler, 'onResponseStarted', args);
  }

  onHeaders(statusCode: number, rawHeaders: unknown, ...rest: unknown[]): unknown {
    try {
      return forward(this.#handler, 'onHeaders', [statusCode, rawHeaders, ...rest]);
    } finally {
      this.#call.responseStarted(statusCode, (name) => rawHeader(rawHeaders, name));
    }
  }

  onData(chunk: Uint8Array): unknown {
    try {
      return this.#handler.onData?.(chunk as never);
    } finally {
      this.#call.data(chunk);
    }
  }

  onComplete(...args: unknown[]): unknown {
    try {
      return forward(this.#handler, 'onComplete', args);
    } finally {
      this.#call.ended();
    }
  }

  onError(error: unknown): unknown {
    try {
      return this.#handler.onError?.(error as never);
    } finally {
      this.#call.failed(error);
    }
  }

  onUpgrade(...args: unknown[]): unknown {
    return forward(this.#handler, 'onUpgrade', args);
  }

  onBodySent(...args: unknown[]): unknown {
    return forward(this.#handler, 'onBodySent', args);
  }

  onRequestSent(...args: unknown[]): unknown {
    return forward(this.#handler, 'onRequestSent', args);
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

  onRequestStart(...args: unknown[]): unknown {
    const controller = args[0] as { abort?: (reason: Error) => void } | undefined;
    if (typeof controller?.abort === 'function') this.#call.abort = (reason) => controller.abort!(reason);
    return forward(this.#handler, 'onRequestStart', args);
  }

  onRequestUpgrade(...args: unknown[]): unknown {
    return forward(this.#handler, 'onRequestUpgrade', args);
  }

  onResponseStart(controller: unknown, statusCode: number, headers: unknown, ...rest: unknown[]): unknown {
    try {
      return forward(this.#handler, 'onResponseStart', [controller, statusCode, headers, ...rest]);
    } finally {
      this.#call.responseStarted(statusCode, (name) => objectHeader(headers, name));
    }
  }

  onResponseData(controller: unknown, chunk: Uint8Array): unknown {
    try {
      return this.#handler.onResponseData?.(controller as never, chunk as never);
    } finally {
      this.#call.data(chunk);
    }
  }

  onResponseEnd(...args: unknown[]): unknown {
    try {
      return forward(this.#handler, 'onResponseEnd', args);
    } finally {
      this.#call.ended();
    }
  }

  onResponseError(controller: unknown, error: unknown): unknown {
    try {
      return this.#handler.onResponseError?.(controller as never, error as never);
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
