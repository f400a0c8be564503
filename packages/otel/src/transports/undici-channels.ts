import diagnosticsChannel from 'node:diagnostics_channel';
import { CostctlBlockedError } from '../model/errors.js';
import { activeCall } from '../call/active-call.js';
import type { ObservedCall } from '../call/call.js';
import { rawHeader } from './headers.js';
import { reportInternalError } from '../call/internal-error.js';
import type { CallObserver } from '../call/observer.js';
import { requestInputCall } from './request-input.js';

/** The parts of undici's internal request that its diagnostics channels expose and we read. */
interface UndiciRequest {
  origin?: unknown;
  method?: unknown;
  path?: unknown;
  body?: unknown;
  /** An error undici fails the request with as it connects, instead of sending it (as for a request body that failed). */
  error?: unknown;
}

interface RequestMessage {
  request: UndiciRequest;
}

/**
 * The method, origin and pathname of the request the fetch wrapper found
 * unbillable, while it hands it to fetch (`origin` is empty otherwise).
 * Endpoints match on these alone, so an undici request with the same three
 * would get the same answer: it is left alone without matching it again.
 */
export const unbillableFetch = { method: '', origin: '', pathname: '' };

function isUnbillableFetch(request: UndiciRequest): boolean {
  const { origin, method, pathname } = unbillableFetch;
  if (origin === '' || request.origin !== origin || request.method !== method || typeof request.path !== 'string') return false;
  const { path } = request;
  // undici's path is the pathname and the query.
  return path.startsWith(pathname) && (path.length === pathname.length || path[pathname.length] === '?');
}

/**
 * Observes requests that do not go through the global `fetch` — the `undici`
 * package's `request()`, `stream()`, `fetch()` and its clients, with any
 * dispatcher — through undici's diagnostics channels, which every copy of
 * undici publishes to. Each is admitted as it is made: a call the gate or a
 * budget refuses fails with `CostctlBlockedError` before a byte of it is
 * written (undici fails a request that carries an error when it gets its
 * socket); an admitted one holds its reservation, settled as it ends.
 * Response bodies come from `undici:request:bodyChunkReceived` (undici ≥ 7);
 * where none comes (the undici package on Node 22 answers without it), the
 * call is still counted, unpriced `body_unobservable`, and budgets keep its
 * worst case.
 * Requests made through our `fetch` wrapper are skipped: it observes them,
 * or, for a Request it could not route, hands its call over to be adopted here.
 * Returns a function that unsubscribes.
 */
export function subscribeUndiciChannels(observer: CallObserver): () => void {
  const calls = new WeakMap<object, ObservedCall>();

  const onCreate = ({ request }: RequestMessage) => {
    if (activeCall.call !== undefined || isUnbillableFetch(request)) return;
    // A `fetch(Request)` the fetch wrapper admitted but could not route: its call is already made.
    const adopted = requestInputCall.getStore();
    if (adopted !== undefined) {
      track(request, adopted);
      return;
    }
    // undici normalises `origin` to `scheme://host[:port]`, so the host needs no URL parse.
    const origin = String(request.origin);
    const host = origin.slice(origin.indexOf('//') + 2);
    const call = observer.observe(String(request.method), origin, host, String(request.path), request.body);
    if (call === undefined) return;
    const admission = observer.admitNow(call);
    if (admission?.blocked !== undefined) {
      // undici fails a request that has an error when it is handed its socket, before writing a byte of it.
      request.error = new CostctlBlockedError(admission.blocked);
      return;
    }
    track(request, call);
  };
  const onHeaders = ({ request, response }: RequestMessage & { response: { statusCode: number; headers: unknown } }) => {
    calls.get(request)?.responseStarted(response.statusCode, (name) => rawHeader(response.headers, name));
  };
  const onChunk = ({ request, chunk }: RequestMessage & { chunk: Uint8Array }) => {
    calls.get(request)?.data(chunk);
  };
  const onTrailers = ({ request }: RequestMessage) => {
    calls.get(request)?.ended();
  };
  const onError = ({ request, error }: RequestMessage & { error: unknown }) => {
    calls.get(request)?.failed(error);
  };

  const subscribed: [string, (message: unknown) => void][] = [];
  const subscribe = (name: string, listener: (message: never) => void) => {
    // A throw inside a subscriber would surface as an uncaught exception in the app.
    const safe = (message: unknown) => {
      try {
        listener(message as never);
      } catch (error) {
        reportInternalError(error);
      }
    };
    diagnosticsChannel.subscribe(name, safe);
    subscribed.push([name, safe]);
  };
  // undici builds a message for every request's events once a channel has a subscriber: until a request is observed here, none is needed.
  let observingResponses = false;
  const track = (request: object, call: ObservedCall) => {
    calls.set(request, call);
    if (observingResponses) return;
    observingResponses = true;
    subscribe('undici:request:headers', onHeaders);
    subscribe('undici:request:bodyChunkReceived', onChunk);
    subscribe('undici:request:trailers', onTrailers);
    subscribe('undici:request:error', onError);
  };
  subscribe('undici:request:create', onCreate);
  return () => {
    for (const [name, listener] of subscribed) diagnosticsChannel.unsubscribe(name, listener);
  };
}
