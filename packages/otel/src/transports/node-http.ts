/**
 * Observes and gates calls made through `node:http` / `node:https` — the
 * transport of axios, node-fetch, got and the AWS SDK's NodeHttpHandler.
 *
 * Why patching, and not only diagnostics channels: the gate must decide
 * before any byte leaves, from the request body the app writes after
 * `request()` returns, and Node asks the agent for a socket inside
 * `request()`. Channels can watch that happen but not hold it. So, as
 * `@opentelemetry/instrumentation-http` does, `request` and `get` are
 * replaced on the `http` and `https` module objects (what CommonJS
 * `require('http')` and ESM default/namespace imports read), and
 * `module.syncBuiltinESMExports()` carries the change to ESM named imports
 * (`import { request } from 'node:http'`, as the AWS SDK's ESM build has it).
 * Whoever patches after us wraps our function and whoever patched before is
 * called by it, so another instrumentation keeps working either way.
 *
 * A request to any other host costs one options read and one Map lookup,
 * and goes to the original function with its own arguments. A billable
 * request is built by Node as usual, with a stand-in agent that holds its
 * socket until admission (see `HeldRequest`). Its response is read from
 * the `http.client.response.finish` channel on (see `observeResponse`).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { context, SpanKind, trace } from '@opentelemetry/api';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { BlockMode } from '../model/block-mode.js';
import { activeCall, spanCalls } from '../call/active-call.js';
import { HeldRequest } from './held-request.js';
import { heldRequestOf, watchRequestMethods } from './request-hooks.js';
import { reportInternalError } from '../call/internal-error.js';
import { mergedOptions, requestTarget, socketSource, withOptions } from './node-http-target.js';
import { watchResponses } from './observed-response.js';
import type { CallObserver } from '../call/observer.js';

type RequestFunction = (this: unknown, ...args: unknown[]) => ClientRequest;
type HttpModule = { request: RequestFunction; get: RequestFunction };

/** Published by Node with the response, before 'response' is emitted and before any body byte. */
const RESPONSE_CHANNEL = 'http.client.response.finish';

/**
 * Patches `http.request`, `http.get`, `https.request` and `https.get` so
 * that every billable call is admitted by budgets and the gate before it
 * leaves, and observed as its response arrives. Returns a function that
 * puts the originals back (where nobody has wrapped ours since).
 *
 * @example
 * const uninstall = installNodeHttp(observer, 'respond');
 * // … axios, got, node-fetch calls to known providers are now priced and gated …
 * uninstall();
 */
export function installNodeHttp(observer: CallObserver, blockMode: BlockMode): () => void {
  const restores = [
    watchRequestMethods(),
    watchResponses(),
    patchModule(http as unknown as HttpModule, false, observer, blockMode),
    patchModule(https as unknown as HttpModule, true, observer, blockMode),
  ];
  syncBuiltinESMExports();

  const onResponse = (message: unknown) => {
    try {
      const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
      heldRequestOf(request)?.responded(response);
    } catch (error) {
      // A throw inside a subscriber would reach the app's socket.
      reportInternalError(error);
    }
  };
  diagnosticsChannel.subscribe(RESPONSE_CHANNEL, onResponse);

  return () => {
    diagnosticsChannel.unsubscribe(RESPONSE_CHANNEL, onResponse);
    for (const restore of restores) restore();
    syncBuiltinESMExports();
  };
}

/** The scope of `@opentelemetry/instrumentation-http`'s spans. */
const HTTP_INSTRUMENTATION = '@opentelemetry/instrumentation-http';

/**
 * Ties the HTTP client span of an instrumentation that patched after us (so
 * its `request()` started the span, made it active and then called ours) to
 * the held request. Only that instrumentation's span: an app's own span
 * around the call is not the HTTP client span.
 */
function tieActiveSpan(hold: HeldRequest): void {
  const span = trace.getSpan(context.active()) as { kind?: number; instrumentationScope?: { name?: string } } | undefined;
  if (span?.kind === SpanKind.CLIENT && span.instrumentationScope?.name === HTTP_INSTRUMENTATION) spanCalls.set(span, hold);
}

function patchModule(module: HttpModule, secure: boolean, observer: CallObserver, blockMode: BlockMode): () => void {
  const originalRequest = module.request;
  const originalGet = module.get;

  /** The request built so it waits for admission, or undefined to leave the call alone. */
  const held = (thisArg: unknown, args: unknown[]): ClientRequest | undefined => {
    let hold: HeldRequest | undefined;
    let heldArgs: unknown[] | undefined;
    try {
      const options = mergedOptions(args);
      const target = options === undefined ? undefined : requestTarget(options, secure);
      if (target === undefined || !observer.matches(target.method, target.origin, target.host, target.path)) return undefined;
      const source = socketSource(options!, secure);
      if (source === undefined) return undefined;
      hold = new HeldRequest(observer, target, source, blockMode);
      heldArgs = withOptions(args, hold.options());
    } catch (error) {
      reportInternalError(error);
      return undefined;
    }
    tieActiveSpan(hold);
    // Node's own validation errors reach the app as they would without us: same checks, same arguments but the agent.
    // An instrumentation that patched before us starts its span in there: the cost span processor ties it to the hold.
    // Restored, not cleared: this request may be made while another call is being handed to its transport.
    const outer = activeCall.call;
    activeCall.call = hold;
    try {
      return hold.build(originalRequest, thisArg, heldArgs);
    } finally {
      activeCall.call = outer;
    }
  };

  const request: RequestFunction = function request(this: unknown, ...args: unknown[]) {
    return held(this, args) ?? originalRequest.apply(this, args);
  };
  const get: RequestFunction = function get(this: unknown, ...args: unknown[]) {
    const observed = held(this, args);
    if (observed === undefined) return originalGet.apply(this, args);
    // What http.get is: a request ended at once.
    observed.end();
    return observed;
  };

  module.request = request;
  module.get = get;
  return () => {
    if (module.request === request) module.request = originalRequest;
    if (module.get === get) module.get = originalGet;
  };
}
