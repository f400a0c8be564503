import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Admission } from '../model/admission.js';
import type { BlockMode } from '../model/block-mode.js';
import { CostctlBlockedError, type BlockReason } from '../model/errors.js';
import { blockedResponse } from './blocked-response.js';
import { BlockedSocket } from './blocked-socket.js';
import type { ObservedCall } from '../call/call.js';
import { reportInternalError } from '../call/internal-error.js';
import type { HttpTarget, RequestOptions, SocketSource } from './node-http-target.js';
import { abortError, observeResponse } from './observed-response.js';
import { buildHeld, type HeldMethod, holdRequest, letGoOfRequest, type OnCreate, parkConnection, standInOf, stoppableBy } from './request-hooks.js';
import type { CallObserver } from '../call/observer.js';

/** Request bodies past this are not parsed (as in request-body.ts): only their size is kept. */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

/** The encodings Node writes a string chunk in as UTF-8. */
const UTF8 = /^utf-?8$/i;

/** `ClientRequest.onSocket` as agents call it: a socket, or an error to fail the request with. */
type OnSocket = (socket: unknown, error?: unknown) => void;

/**
 * One billable `node:http` request, kept from the network until it is
 * admitted. Node asks the agent for a socket inside `http.request()`, before
 * the app has written its body; the agent the request is built with asks us
 * instead, and we ask the real agent once budgets and the gate have said yes
 * to the body — as `end()` completes it, or as far as it got when the app
 * stops writing without ending (it may wait for its writes to flush), asks
 * for `Expect: 100-continue` or calls `flushHeaders()`. What the app writes
 * meanwhile is buffered by Node itself, as it is while any socket connects.
 * A blocked request never asks any agent: it gets an in-memory socket that
 * answers 402 (`respond`) or fails with `CostctlBlockedError` (`throw`).
 *
 * Per-call state lives in its fields; the functions Node and the call are
 * given are shared (see request-hooks.ts for why).
 */
export class HeldRequest {
  readonly #observer: CallObserver;
  readonly #target: HttpTarget;
  readonly #mode: BlockMode;
  readonly #source: SocketSource;
  #request: ClientRequest | undefined;
  #response: IncomingMessage | undefined;
  #phase: 'holding' | 'admitting' | 'released' | 'blocked' | 'dropped' = 'holding';
  /** Whether Node's methods on its request reach this hold (until it lets go). */
  #holding = false;
  /** Whether Node asked for a socket (the stand-in agent, or the app's createConnection, was called). */
  #parked = false;
  /** What Node passed when it asked: handed to the real agent (or createConnection) on release. */
  #socketOptions: unknown;
  #oncreate: OnCreate | undefined;
  /** The body as written: UTF-8 text kept as the strings it came in, since it is read as text. */
  #chunks: (Buffer | string)[] | undefined = [];
  #size = 0;
  #call: ObservedCall | undefined;
  #error: unknown;
  #writes = 0;
  #stallCheck = false;

  /** The call, once the body is whole and it has been admitted; what a span tied to this request reports. */
  get observed(): ObservedCall | undefined {
    return this.#call;
  }

  constructor(observer: CallObserver, target: HttpTarget, source: SocketSource, mode: BlockMode) {
    this.#observer = observer;
    this.#target = target;
    this.#source = source;
    this.#mode = mode;
  }

  /**
   * Options to build the request with, so that asking for a socket waits
   * for admission: a stand-in for the agent, made once per agent, or a
   * stand-in createConnection.
   *
   * @example
   * const request = hold.build(originalRequest, thisArg, withOptions(args, hold.options()));
   */
  options(): RequestOptions {
    const source = this.#source;
    return source.kind === 'createConnection' ? { createConnection: parkConnection } : { agent: standInOf(source.agent) };
  }

  /** Builds the request with `request(...args)`, Node's own function, and takes it over. */
  build(request: (this: unknown, ...args: unknown[]) => ClientRequest, thisArg: unknown, args: unknown[]): ClientRequest {
    const built = buildHeld(this, request, thisArg, args);
    this.#attach(built);
    return built;
  }

  /** Node asked for a socket while building the request: it waits for admission. */
  parked(options: unknown, oncreate: OnCreate | undefined): void {
    this.#parked = true;
    this.#socketOptions = options;
    this.#oncreate = oncreate;
  }

  /** Takes over `request`, just built with `options()`. Never throws: a failure lets the request go. */
  #attach(request: ClientRequest): void {
    this.#request = request;
    try {
      // The app sees its own agent, never the stand-in.
      if (this.#source.kind === 'agent') (request as unknown as { agent: Agent }).agent = this.#source.agent;
      if (!this.#parked) {
        this.#phase = 'released';
        return;
      }
      holdRequest(request, this);
      this.#holding = true;
      // An AbortSignal aborted before the call destroys the request while it is being built.
      if (request.destroyed) this.#drop();
      // The app waits for '100 Continue' before it writes the body: admit on what is known.
      else if (request.getHeader('expect') !== undefined) this.#admit();
    } catch (error) {
      reportInternalError(error);
      this.#release();
    }
  }

  /** The response arrived (from the `http.client.response.finish` channel). */
  responded(response: IncomingMessage): void {
    if (this.#phase !== 'released' || this.#call === undefined) return;
    // Destroying the response, not only the request, hands the app the reason rather than a bare ECONNRESET.
    this.#response = response;
    observeResponse(this.#call, response);
  }

  /** Stops the call: its response once it started, else its request. */
  abort(reason: Error): void {
    if (this.#response !== undefined) this.#response.destroy(reason);
    else this.#request?.destroy(reason);
  }

  /** After the app's call went through Node's own method: keep the body, and admit once it is whole. */
  after(name: HeldMethod, chunk: unknown, encoding: unknown): void {
    if (this.#phase !== 'holding' && !(name === 'destroy' && this.#phase === 'admitting')) return;
    try {
      if (name === 'destroy') return this.#drop();
      if (name === 'write' || name === 'end') this.#keep(chunk, encoding);
      if (name === 'end' || name === 'flushHeaders' || this.#size === this.#declaredLength()) this.#admit();
      else if (name === 'write') this.#awaitStall();
    } catch (error) {
      reportInternalError(error);
      this.#release();
    }
  }

  /**
   * A writer that waits for its write callbacks or 'drain' (got does) before
   * it calls end() would wait for ever for a socket it never gets: once the
   * app has written nothing for a turn of the event loop, admit on what it wrote.
   */
  #awaitStall(): void {
    this.#writes += 1;
    if (this.#stallCheck) return;
    this.#stallCheck = true;
    let seen = this.#writes;
    const check = () => {
      if (this.#phase !== 'holding') return;
      if (seen === this.#writes) return this.#admit();
      seen = this.#writes;
      setImmediate(check);
    };
    setImmediate(check);
  }

  /** The body's length as its `content-length` header declares it (axios, got and node-fetch set one), or NaN. */
  #declaredLength(): number {
    const header = this.#request!.getHeader('content-length');
    return typeof header === 'number' ? header : typeof header === 'string' ? Number(header) : Number.NaN;
  }

  #keep(chunk: unknown, encoding: unknown): void {
    if (this.#chunks === undefined) return;
    let kept: Buffer | string;
    let size: number;
    if (typeof chunk === 'string' && (typeof encoding !== 'string' || UTF8.test(encoding))) {
      kept = chunk;
      size = Buffer.byteLength(chunk);
    } else {
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8')
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk) // a copy: the app may reuse its buffer once write() returns
            : undefined;
      if (bytes === undefined) return;
      kept = bytes;
      size = bytes.byteLength;
    }
    this.#size += size;
    if (this.#size > MAX_HELD_BYTES) this.#chunks = undefined;
    else this.#chunks.push(kept);
  }

  /** The body written, for reading: one piece as it came (most bodies), several joined. */
  #body(): Buffer | string | undefined {
    const chunks = this.#chunks;
    if (chunks === undefined) return undefined;
    if (chunks.length === 1) return chunks[0];
    return Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
  }

  #admit(): void {
    this.#phase = 'admitting';
    let admission: Admission | Promise<Admission>;
    try {
      const { method, origin, host, path } = this.#target;
      const body = this.#body();
      this.#chunks = undefined;
      this.#call = this.#observer.observe(method, origin, host, path, body);
      if (this.#call === undefined) return this.#release();
      admission = this.#observer.admit(this.#call);
    } catch (error) {
      // A bug in costctl lets the call through, as in the fetch wrapper.
      reportInternalError(error);
      return this.#release();
    }
    if (!(admission instanceof Promise)) return this.#decide(admission);
    admission.then(
      (decided) => this.#decide(decided),
      (error: unknown) => {
        reportInternalError(error);
        this.#decide(undefined);
      },
    );
  }

  #decide(admission: Admission | undefined): void {
    try {
      if (this.#phase === 'dropped') {
        // The app gave up while budgets were deciding: give back what was reserved.
        if (!admission?.blocked) this.#call?.failed(this.#error ?? abortError());
      } else if (admission?.blocked) this.#block(admission.blocked);
      else this.#release();
    } catch (error) {
      reportInternalError(error);
      this.#release();
    }
  }

  #release(): void {
    if (!this.#letGo('released')) return;
    if (this.#call !== undefined) stoppableBy(this.#call, this);
    if (!this.#parked) return;
    const options = this.#socketOptions;
    this.#socketOptions = undefined;
    const source = this.#source;
    if (source.kind === 'createConnection') {
      // As Node's ClientRequest does with a createConnection option.
      const oncreate = this.#oncreate!;
      this.#oncreate = undefined;
      try {
        const socket = source.createConnection.call(options, options, oncreate);
        if (socket) oncreate(null, socket);
      } catch (error) {
        oncreate(error);
      }
      return;
    }
    try {
      (source.agent as Agent & { addRequest(request: ClientRequest, options: unknown): void }).addRequest(this.#request!, options);
    } catch (error) {
      // How Node's agents fail a request they cannot give a socket.
      (this.#request!.onSocket as OnSocket).call(this.#request, undefined, error);
    }
  }

  /** Leaves the hold for `phase`; false when it was left already. */
  #letGo(phase: 'released' | 'blocked' | 'dropped'): boolean {
    const was = this.#phase;
    if (was === 'released' || was === 'blocked' || was === 'dropped') return false;
    this.#phase = phase;
    if (this.#holding) letGoOfRequest();
    this.#holding = false;
    return true;
  }

  #block(block: BlockReason): void {
    if (!this.#letGo('blocked')) return;
    const onSocket = this.#request!.onSocket as OnSocket;
    if (this.#mode === 'throw') onSocket.call(this.#request, undefined, new CostctlBlockedError(block));
    else onSocket.call(this.#request, new BlockedSocket(blockedResponse(this.#call!.adapter, block)));
  }

  /** The app destroyed the request before it left: Node's own path for a request without a socket fails it. */
  #drop(): void {
    this.#letGo('dropped');
    (this.#request!.onSocket as OnSocket).call(this.#request, undefined);
  }

  /** The request emitted an error, or closed (`undefined`: aborted without one, if nothing came before). */
  failed(error: unknown): void {
    this.#error ??= error;
    // After the response started, the response's own end or cut is what counts.
    if (this.#phase === 'released' && this.#response === undefined) this.#call?.failed(this.#error ?? abortError());
  }
}
