/**
 * Where Node's HTTP client meets a held request: the stand-in agent Node
 * asks for a socket, the wrappers on `ClientRequest.prototype` that tell a
 * hold what the app wrote, the request listeners and the call's `abort`.
 *
 * Every function here is shared by all requests and per-call state lives in
 * the hold, found through a WeakMap entry removed when the request closes.
 * A closure made per call and kept on an object (a request's own `end`, a
 * call's `abort`), or an entry left in a WeakMap, keeps the call's young
 * objects alive through V8's minor collections: measured on the bench's
 * node:http call, 2.5 MB survived each scavenge and the request's whole
 * graph was promoted, costing more CPU than the rest of the transport.
 */
import { errorMonitor } from 'node:events';
import http, { type Agent, type ClientRequest } from 'node:http';
import type { ObservedCall } from '../call/call.js';
import type { HeldRequest } from './held-request.js';
import { sharedPatch } from './shared-patch.js';

/** The request methods a hold watches until admission. */
export type HeldMethod = 'write' | 'end' | 'destroy' | 'flushHeaders';
type Method = (this: ClientRequest, first?: unknown, second?: unknown, third?: unknown) => unknown;
type AgentWithAddRequest = Agent & { addRequest(request: ClientRequest, options: unknown): void };
export type OnCreate = (error: unknown, socket?: unknown) => void;

const held = new WeakMap<ClientRequest, HeldRequest>();
/** Held requests not yet let go (holding or admitting): while none are, Node's methods run with one variable read added. */
let holding = 0;
/** The hold whose request Node is building, for the stand-in agent Node asks for a socket inside the constructor. */
let building: HeldRequest | undefined;

/**
 * Builds a request with `build` while `hold` is the one the stand-in agent parks.
 *
 * @example
 * const request = buildHeld(hold, () => originalRequest.apply(thisArg, args));
 */
export function buildHeld(hold: HeldRequest, request: (this: unknown, ...args: unknown[]) => ClientRequest, thisArg: unknown, args: unknown[]): ClientRequest {
  const outer = building;
  building = hold;
  try {
    return request.apply(thisArg, args);
  } finally {
    // Restored, not cleared: a request may be built while another is (an instrumentation making its own).
    building = outer;
  }
}

/** `hold` holds `request` from now on: its methods and events reach the hold until the request closes. */
export function holdRequest(request: ClientRequest, hold: HeldRequest): void {
  held.set(request, hold);
  holding += 1;
  // The monitor, not a listener: an 'error' listener would keep an unhandled error from throwing.
  request.on(errorMonitor, onRequestError);
  request.on('close', onRequestClose);
}

/** `hold` let go of its request (released, blocked or dropped): Node's methods need not look for it. */
export function letGoOfRequest(): void {
  holding -= 1;
}

/**
 * The held request `request` is, for the response channel; undefined for any other request.
 *
 * @example
 * heldRequestOf(message.request)?.responded(message.response);
 */
export function heldRequestOf(request: ClientRequest): HeldRequest | undefined {
  return held.get(request);
}

const standIns = new WeakMap<Agent, Agent>();

/**
 * The stand-in for `agent` a held request is built with, made once per
 * agent: the agent's own values, and an `addRequest` that parks the request.
 *
 * @example
 * withOptions(args, { agent: standInOf(http.globalAgent) })
 */
export function standInOf(agent: Agent): Agent {
  let standIn = standIns.get(agent);
  if (standIn === undefined) {
    const read = (key: 'protocol' | 'defaultPort' | 'keepAlive' | 'maxSockets') => ({
      get: () => (agent as unknown as Record<string, unknown>)[key],
      configurable: true,
    });
    // What ClientRequest reads from its agent comes from the real one (as its own getters expect); anything else through the prototype.
    standIn = Object.create(agent, {
      addRequest: { value: parkRequest, configurable: true, writable: true },
      protocol: read('protocol'),
      defaultPort: read('defaultPort'),
      keepAlive: read('keepAlive'),
      maxSockets: read('maxSockets'),
    }) as Agent;
    standIns.set(agent, standIn);
  }
  return standIn;
}

/** The stand-in agent's `addRequest`: the request Node is building waits for admission instead of a socket. */
function parkRequest(this: Agent, request: ClientRequest, options: unknown): void {
  const hold = building;
  building = undefined;
  if (hold === undefined) return (Object.getPrototypeOf(this) as AgentWithAddRequest).addRequest(request, options);
  hold.parked(options, undefined);
}

/**
 * The `createConnection` option a held request made with the app's own is
 * built with: the app's is called once the request is admitted.
 */
export function parkConnection(options: unknown, oncreate: OnCreate): undefined {
  building?.parked(options, oncreate);
  building = undefined;
  return undefined;
}

/**
 * Puts the method wrappers on `ClientRequest.prototype` (once for every
 * install); the function returned takes them off after the last install,
 * where nobody has replaced them since.
 *
 * @example
 * const restore = watchRequestMethods();
 * restore();
 */
export const watchRequestMethods = sharedPatch(patchPrototype);

/**
 * One wrapper per method: the method it replaced runs first, unchanged;
 * then a held request's hold looks at what the app did. No property is
 * added to a request, so its hidden class stays the one Node's code is
 * optimised for. Undone, a wrapper that another patch still calls only
 * passes calls on, so a later install never sees a call twice.
 */
function patchPrototype(): () => void {
  const prototype = http.ClientRequest.prototype as unknown as Record<HeldMethod, Method>;
  const write = prototype.write;
  const end = prototype.end;
  const destroy = prototype.destroy;
  const flushHeaders = prototype.flushHeaders;
  let active = true;
  const wrappers = {
    write(this: ClientRequest, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      const result = write.call(this, chunk, encoding, callback);
      if (active && holding !== 0) held.get(this)?.after('write', chunk, encoding);
      return result;
    },
    end(this: ClientRequest, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      const result = end.call(this, chunk, encoding, callback);
      if (active && holding !== 0) held.get(this)?.after('end', chunk, encoding);
      return result;
    },
    destroy(this: ClientRequest, error?: unknown) {
      const result = destroy.call(this, error);
      if (active && holding !== 0) held.get(this)?.after('destroy', undefined, undefined);
      return result;
    },
    flushHeaders(this: ClientRequest) {
      const result = flushHeaders.call(this);
      if (active && holding !== 0) held.get(this)?.after('flushHeaders', undefined, undefined);
      return result;
    },
  } satisfies Record<HeldMethod, Method>;
  const names = Object.keys(wrappers) as HeldMethod[];
  const owned = names.map((name) => [name, Object.getOwnPropertyDescriptor(prototype, name)] as const);
  for (const name of names) Object.defineProperty(prototype, name, { value: wrappers[name], writable: true, configurable: true, enumerable: false });
  return () => {
    active = false;
    for (const [name, descriptor] of owned) {
      if (prototype[name] !== wrappers[name]) continue;
      if (descriptor === undefined) delete (prototype as Partial<Record<HeldMethod, Method>>)[name];
      else Object.defineProperty(prototype, name, descriptor);
    }
  };
}

/** Listeners shared by every held request: `this` is the request. */
function onRequestError(this: ClientRequest, error: unknown): void {
  held.get(this)?.failed(error);
}

function onRequestClose(this: ClientRequest): void {
  const hold = held.get(this);
  if (hold === undefined) return;
  hold.failed(undefined);
  held.delete(this);
  if (hold.observed !== undefined) holdsOfCalls.delete(hold.observed);
}

const holdsOfCalls = new WeakMap<ObservedCall, HeldRequest>();

/**
 * Lets `call` be stopped (the gate tripping) through `hold`, until its request closes.
 *
 * @example
 * stoppableBy(call, hold); // call.abort(reason) now destroys the response, or the request before it
 */
export function stoppableBy(call: ObservedCall, hold: HeldRequest): void {
  holdsOfCalls.set(call, hold);
  call.abort = abortCall;
}

function abortCall(this: ObservedCall, reason: Error): void {
  holdsOfCalls.get(this)?.abort(reason);
}
