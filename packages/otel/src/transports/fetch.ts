import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { BlockMode } from '../model/block-mode.js';
import { Attr, METER_NAME } from '../model/otel-names.js';
import { CostctlBlockedError, type BlockReason } from '../model/errors.js';
import { activeCall } from '../call/active-call.js';
import { blockedResponse } from './blocked-response.js';
import type { ObservedCall } from '../call/call.js';
import { reportInternalError } from '../call/internal-error.js';
import { observingHandler } from './observing-handler.js';
import type { CallObserver } from '../call/observer.js';
import { copyRequestBody, hasStreamBody, requestInputCall } from './request-input.js';
import { unbillableFetch } from './undici-channels.js';

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
    // Restored, not cleared: this dispatch may itself run inside another call's (an app dispatcher that calls out).
    const outer = activeCall.call;
    activeCall.call = this.#call;
    try {
      return this.#inner.dispatch(options, observed);
    } finally {
      activeCall.call = outer;
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
 * before they leave, lets budgets and the gate admit or block them, and
 * observes their responses. Any other request, and any request costctl
 * cannot observe without changing it, goes to the original `fetch`
 * untouched. Returns a function that puts the original back.
 */
export function installFetch(observer: CallObserver, blockMode: BlockMode): () => void {
  const original = globalThis.fetch;
  if (typeof original !== 'function') return () => {};

  const fetch: Fetch = function fetch(input, init) {
    // A Request's body is a stream: a billable call waits for a copy of it, to be read and admitted like any other.
    if (hasStreamBody(input, init) && isBillable(observer, input)) {
      return copyRequestBody(input).then((body) => admitAndFetch(input, init, body));
    }
    return admitAndFetch(input, init, init !== undefined && 'body' in init ? init.body : undefined);
  };

  function admitAndFetch(input: Parameters<Fetch>[0], init: RequestInit | undefined, body: unknown): Promise<Response> {
    let prepared: Prepared | Unbillable | undefined;
    let admission: ReturnType<CallObserver['admit']> | undefined;
    try {
      prepared = prepare(observer, input, init, body);
      if (prepared?.call !== undefined) admission = observer.admit(prepared.call);
    } catch (error) {
      // A bug in costctl lets the call through (telemetry fails open); the gate itself is a cached flag.
      reportInternalError(error);
    }
    if (prepared === undefined) return original(input, init);
    if (prepared.call === undefined) return fetchUnbillable(prepared, input, init);
    const { call, init: observedInit, viaChannels } = prepared;
    const send = () => settleOnRejection(call, viaChannels ? requestInputCall.run(call, () => original(input, observedInit)) : original(input, observedInit));
    if (admission instanceof Promise) {
      return admission.then(
        (decided) => (decided.blocked ? blockedFetch(prepared, decided.blocked, blockMode) : send()),
        (error: unknown) => {
          reportInternalError(error);
          return send();
        },
      );
    }
    return admission?.blocked ? blockedFetch(prepared, admission.blocked, blockMode) : send();
  }

  /** The app's fetch of a request found unbillable: the channel observer sees its undici request (made at once) and needs no second look. */
  function fetchUnbillable({ method, target }: Unbillable, input: Parameters<Fetch>[0], init: RequestInit | undefined): Promise<Response> {
    unbillableFetch.method = method;
    unbillableFetch.origin = target.origin;
    unbillableFetch.pathname = target.pathname;
    try {
      return original(input, init);
    } finally {
      unbillableFetch.origin = '';
    }
  }

  globalThis.fetch = fetch;
  return () => {
    if (globalThis.fetch === fetch) globalThis.fetch = original;
  };
}

/**
 * A blocked call's answer: never a network request, and never retried by
 * the SDKs — a 402 with `x-should-retry: false` in the provider's own error
 * shape (`respond`), or a rejected `CostctlBlockedError` (`throw`) — and its
 * HTTP client span.
 */
function blockedFetch(prepared: Prepared, block: BlockReason, mode: BlockMode): Promise<Response> {
  if (mode === 'throw') {
    const error = new CostctlBlockedError(block);
    traceBlocked(prepared, block, { [ERROR_TYPE]: error.name });
    return Promise.reject(error);
  }
  const { status, statusText, headers, body } = blockedResponse(prepared.call.adapter, block);
  traceBlocked(prepared, block, { 'http.response.status_code': status, [ERROR_TYPE]: String(status) });
  return Promise.resolve(new Response(body, { status, statusText, headers }));
}

const tracer = trace.getTracer(METER_NAME);
const ERROR_TYPE = 'error.type';

/**
 * The HTTP client span a blocked call would have had: it never reaches
 * undici, so no instrumentation sees it. Made in the app's active context,
 * ended at once, with the HTTP attributes of the semantic conventions (the
 * URL without its query, which may hold a key), what the call was and why
 * costctl stopped it. Without a tracer provider this is a no-op span.
 */
function traceBlocked({ call, method, target }: Prepared, block: BlockReason, outcome: Attributes): void {
  try {
    const url = new URL(target.origin);
    const attributes: Attributes = {
      'http.request.method': method.toUpperCase(),
      'url.full': `${target.origin}${target.pathname}`,
      'server.address': url.hostname.replace(/^\[(.*)\]$/, '$1'),
      'server.port': url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
      [Attr.provider]: call.adapter.name,
      [Attr.operation]: call.request.operation,
      [Attr.outcome]: 'blocked',
      [Attr.rule]: block.rule,
      ...outcome,
    };
    if (call.request.model !== undefined) attributes[Attr.requestModel] = call.request.model;
    const span = tracer.startSpan(method.toUpperCase(), { kind: SpanKind.CLIENT, attributes });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `costctl blocked the call: ${block.code}` });
    span.end();
  } catch (error) {
    reportInternalError(error);
  }
}

/**
 * Records a call whose fetch rejected, for a fetch that fails before undici takes its request
 * (an aborted signal), which no handler or channel sees: its reservation is settled all the same.
 * A later failure was recorded first by the handler or channel that saw it; recording is once only.
 */
function settleOnRejection(call: ObservedCall, sent: Promise<Response>): Promise<Response> {
  sent.catch((error: unknown) => call.failed(error));
  return sent;
}

/**
 * A billable call and the init to call `fetch` with so it is observed: through an observing
 * dispatcher, or — for a Request whose dispatcher cannot be read — unchanged, its request
 * adopted by the diagnostics-channel observer (`viaChannels`).
 */
interface Prepared {
  call: ObservedCall;
  init: RequestInit | undefined;
  viaChannels: boolean;
  method: string;
  target: Target;
}

/** A request whose method and URL no endpoint bills: fetch sends it as it is. */
interface Unbillable {
  call: undefined;
  method: string;
  target: Target;
}

/**
 * The call and how to `fetch` it so it is observed; `Unbillable` for a request that is not billable;
 * undefined to leave a request alone for another reason (the diagnostics channels may still observe it).
 */
function prepare(observer: CallObserver, input: unknown, init: RequestInit | undefined, body: unknown): Prepared | Unbillable | undefined {
  const target = requestTarget(input);
  if (target === undefined) return undefined;
  const method = init?.method ?? target.method;
  const inner = dispatcherOf(input, init);
  // Replacing a dispatcher we cannot see could reroute the request: undici's channels observe it instead.
  if (inner === undefined && !(input instanceof Request)) return undefined;
  const call = observer.observe(method, target.url.origin, target.url.host, target.url.pathname, body);
  if (call === undefined) return { call, method, target: target.url };
  if (inner === undefined) return { call, init, viaChannels: true, method, target: target.url };
  // `dispatcher` is undici's own RequestInit extension, absent from the DOM type.
  return {
    call,
    init: { ...init, dispatcher: new ObservingDispatcher(inner, call) } as unknown as RequestInit,
    viaChannels: false,
    method,
    target: target.url,
  };
}

/** Whether a Request is a billable call, from its method and URL alone. */
function isBillable(observer: CallObserver, request: Request): boolean {
  try {
    const url = targetOfString(request.url);
    return url !== undefined && observer.matches(request.method, url.origin, url.host, url.pathname);
  } catch (error) {
    reportInternalError(error);
    return false;
  }
}

/** Where a request goes, as the endpoint matcher reads it. */
interface Target {
  readonly origin: string;
  readonly host: string;
  readonly pathname: string;
}

/** Targets of URL strings already parsed: an app calls the same few URLs again and again. */
const targets = new Map<string, Target | null>();
/** Past this many distinct URLs (ids in paths), the cache starts over rather than grow. */
const MAX_TARGETS = 512;

function targetOfString(text: string): Target | undefined {
  let target = targets.get(text);
  if (target === undefined) {
    const url = URL.parse(text);
    target = url === null ? null : targetOf(url);
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(text, target);
  }
  return target ?? undefined;
}

function targetOf(url: URL): Target {
  return { origin: url.origin, host: url.host, pathname: url.pathname };
}

function requestTarget(input: unknown): { url: Target; method: string } | undefined {
  if (typeof input === 'string') {
    const url = targetOfString(input);
    return url === undefined ? undefined : { url, method: 'GET' };
  }
  if (input instanceof URL) return { url: targetOf(input), method: 'GET' };
  if (input instanceof Request) {
    const url = targetOfString(input.url);
    return url === undefined ? undefined : { url, method: input.method };
  }
  return undefined;
}

/**
 * The dispatcher `fetch` would use. A `Request` may carry its own, which
 * only Node 22's undici lets us read (its fields are symbol-keyed there, and
 * a clone has none: `clone()` drops it, so fetch uses the global one); where
 * it cannot be read the call is left to the diagnostics-channel observer
 * rather than risk replacing it.
 */
function dispatcherOf(input: unknown, init: RequestInit | undefined): Dispatcher | undefined {
  const own = (init as { dispatcher?: Dispatcher } | undefined)?.dispatcher;
  if (own !== undefined) return own;
  if (input instanceof Request) {
    const keys = Object.getOwnPropertySymbols(input);
    // Node 24's undici keeps a Request's fields private: there is nothing to read.
    if (!keys.some((symbol) => symbol.description === 'state')) return undefined;
    const key = keys.find((symbol) => symbol.description === 'dispatcher');
    const carried = key === undefined ? undefined : (input as unknown as Record<symbol, Dispatcher | undefined>)[key];
    if (carried !== undefined) return carried;
  }
  return (globalThis as unknown as Record<symbol, Dispatcher | undefined>)[globalDispatcherKey];
}
