import { activeCall } from './active-call.js';
import type { ObservedCall } from './call.js';
import { reportInternalError } from './internal-error.js';
import { observingHandler } from './observing-handler.js';
import type { CallObserver } from './observer.js';

/** Where undici (Node's bundled copy and the npm package alike) keeps the global dispatcher. */
const globalDispatcherKey = Symbol.for('undici.globalDispatcher.1');

interface Dispatcher {
  dispatch(options: object, handler: object): boolean;
  readonly isMockActive?: boolean;
}

/**
 * The dispatcher one observed `fetch` call goes through: the app's own
 * dispatcher (per-request, or the global one as it is at call time), with
 * the response handler wrapped so its bytes can be read on their way by.
 * Redirects dispatch again through it, and each attempt is observed.
 */
class ObservingDispatcher {
  readonly #inner: Dispatcher;
  readonly #call: ObservedCall;

  constructor(inner: Dispatcher, call: ObservedCall) {
    this.#inner = inner;
    this.#call = call;
  }

  dispatch(options: object, handler: object): boolean {
    let observed: object;
    try {
      observed = observingHandler(handler, this.#call);
    } catch (error) {
      reportInternalError(error);
      return this.#inner.dispatch(options, handler);
    }
    activeCall.call = this.#call;
    try {
      return this.#inner.dispatch(options, observed);
    } finally {
      activeCall.call = undefined;
    }
  }

  // fetch sends the original body to a MockAgent: keep answering as the app's dispatcher would.
  get isMockActive(): boolean | undefined {
    return this.#inner.isMockActive;
  }
}

type Fetch = typeof globalThis.fetch;

/**
 * Replaces `globalThis.fetch` with a wrapper that recognises billable calls
 * before they leave and observes their responses. Any other request, and
 * any request costctl cannot observe without changing it, goes to the
 * original `fetch` untouched. Returns a function that puts the original back.
 */
export function installFetch(observer: CallObserver): () => void {
  const original = globalThis.fetch;
  if (typeof original !== 'function') return () => {};

  const fetch: Fetch = function fetch(input, init) {
    let observedInit: RequestInit | undefined;
    try {
      observedInit = prepare(observer, input, init);
    } catch (error) {
      reportInternalError(error);
    }
    return observedInit === undefined ? original(input, init) : original(input, observedInit);
  };

  globalThis.fetch = fetch;
  return () => {
    if (globalThis.fetch === fetch) globalThis.fetch = original;
  };
}

/** The init to call `fetch` with so the call is observed, or undefined to leave it alone. */
function prepare(observer: CallObserver, input: unknown, init: RequestInit | undefined): RequestInit | undefined {
  const target = requestTarget(input);
  if (target === undefined) return undefined;
  const method = init?.method ?? target.method;
  const body = init !== undefined && 'body' in init ? init.body : undefined;
  const inner = dispatcherOf(input, init);
  if (inner === undefined) return undefined;
  const call = observer.observe(method, target.url.origin, target.url.host, target.url.pathname, body);
  if (call === undefined) return undefined;
  // `dispatcher` is undici's own RequestInit extension, absent from the DOM type.
  return { ...init, dispatcher: new ObservingDispatcher(inner, call) } as unknown as RequestInit;
}

function requestTarget(input: unknown): { url: URL; method: string } | undefined {
  if (typeof input === 'string') return URL.canParse(input) ? { url: new URL(input), method: 'GET' } : undefined;
  if (input instanceof URL) return { url: input, method: 'GET' };
  if (input instanceof Request) return { url: new URL(input.url), method: input.method };
  return undefined;
}

/**
 * The dispatcher `fetch` would use. A `Request` may carry its own, which
 * only Node 22's undici lets us read; where it cannot be read the call is
 * left to the diagnostics-channel observer rather than risk replacing it.
 */
function dispatcherOf(input: unknown, init: RequestInit | undefined): Dispatcher | undefined {
  const own = (init as { dispatcher?: Dispatcher } | undefined)?.dispatcher;
  if (own !== undefined) return own;
  if (input instanceof Request) {
    const key = Object.getOwnPropertySymbols(input).find((symbol) => symbol.description === 'dispatcher');
    if (key === undefined) return undefined;
    const carried = (input as unknown as Record<symbol, Dispatcher | undefined>)[key];
    if (carried !== undefined) return carried;
  }
  return (globalThis as unknown as Record<symbol, Dispatcher | undefined>)[globalDispatcherKey];
}
