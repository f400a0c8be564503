/**
 * Capture and the gate for `node:http2` clients (the AWS SDK's default
 * `NodeHttp2Handler`, got with `http2: true`). `http2.connect` is replaced
 * on the module (and carried to ESM named imports), and each session's
 * `request` is wrapped. A request to a known paid API is admitted from its
 * method and path at `request()` time: an HTTP/2 stream sends its HEADERS
 * frame at once, so unlike `node:http` there is no body to wait for; the
 * model comes from the path where the API names it there (Bedrock, Gemini).
 * A blocked call never opens a stream: the app gets a stand-in stream that
 * answers the 402 (`respond`) or fails with `CostctlBlockedError` (`throw`).
 * An admission that needs the store's answer (Redis) cannot hold a stream
 * open here: the call goes on, and its reservation follows.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { syncBuiltinESMExports } from 'node:module';
import { Duplex } from 'node:stream';
import type { BlockMode } from '../model/block-mode.js';
import { CostctlBlockedError, type BlockReason } from '../model/errors.js';
import { blockedResponse } from './blocked-response.js';
import type { ObservedCall } from '../call/call.js';
import { reportInternalError } from '../call/internal-error.js';
import { abortError } from './observed-response.js';
import type { CallObserver } from '../call/observer.js';

type Connect = typeof http2.connect;

/**
 * Observes and gates `node:http2` requests to paid APIs. Returns a function
 * that puts `http2.connect` back.
 *
 * @example
 * const uninstall = installNodeHttp2(observer, 'respond');
 */
export function installNodeHttp2(observer: CallObserver, blockMode: BlockMode): () => void {
  const original = http2.connect;
  const connect = function connect(this: unknown, ...args: Parameters<Connect>): ClientHttp2Session {
    const session = original.apply(this, args);
    try {
      wrapSession(session, String(args[0]), observer, blockMode);
    } catch (error) {
      reportInternalError(error);
    }
    return session;
  } as Connect;
  http2.connect = connect;
  syncBuiltinESMExports();
  return () => {
    if (http2.connect === connect) http2.connect = original;
    syncBuiltinESMExports();
  };
}

function wrapSession(session: ClientHttp2Session, authority: string, observer: CallObserver, blockMode: BlockMode): void {
  const url = new URL(authority.includes('://') ? authority : `https://${authority}`);
  const original = session.request;
  const open = (target: ClientHttp2Session, args: unknown[]): ClientHttp2Stream => (original as (...args: unknown[]) => ClientHttp2Stream).apply(target, args);
  const observing = function request(this: ClientHttp2Session, headers?: OutgoingHttpHeaders, ...rest: unknown[]): ClientHttp2Stream {
    try {
      const method = String(headers?.[':method'] ?? 'GET');
      const path = String(headers?.[':path'] ?? '/');
      if (observer.matches(method, url.origin, url.host, path)) {
        // Held until its body is written: budgets need the body, and HEADERS would leave at once.
        const admit = (body: Uint8Array): Admitted => {
          const call = observer.observe(method, url.origin, url.host, path, body);
          if (call === undefined) return { call, blocked: undefined };
          const admission = observer.admit(call);
          return admission instanceof Promise
            ? admission.then(
                (decided) => ({ call, blocked: decided.blocked }),
                () => ({ call, blocked: undefined }),
              )
            : { call, blocked: admission.blocked };
        };
        return new HeldHttp2Stream(this, () => open(this, [headers, ...rest]), admit, blockMode) as unknown as ClientHttp2Stream;
      }
    } catch (error) {
      reportInternalError(error);
    }
    return open(this, [headers, ...rest]);
  };
  Object.defineProperty(session, 'request', { value: observing, writable: true, configurable: true, enumerable: false });
}

type Admitted =
  | { call: ObservedCall | undefined; blocked: BlockReason | undefined }
  | Promise<{ call: ObservedCall | undefined; blocked: BlockReason | undefined }>;

/**
 * What the app holds for a request to a paid API: it takes the body the app
 * writes, and only once the body has ended opens the real stream (admitted)
 * or answers for it (blocked). The real stream's answer is handed on with
 * its backpressure: a chunk the app has no room for pauses the real stream.
 */
class HeldHttp2Stream extends Duplex {
  readonly session: ClientHttp2Session;
  readonly #open: () => ClientHttp2Stream;
  readonly #admit: (body: Uint8Array) => Admitted;
  readonly #blockMode: BlockMode;
  readonly #body: Buffer[] = [];
  #real: ClientHttp2Stream | undefined;
  #timeout: [number, (() => void) | undefined] | undefined;
  #cancelled = false;

  constructor(session: ClientHttp2Session, open: () => ClientHttp2Stream, admit: (body: Uint8Array) => Admitted, blockMode: BlockMode) {
    super();
    this.session = session;
    this.#open = open;
    this.#admit = admit;
    this.#blockMode = blockMode;
  }

  get rstCode(): number | undefined {
    return this.#real?.rstCode;
  }

  get id(): number | undefined {
    return this.#real?.id;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#body.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
    let admitted: Admitted;
    try {
      admitted = this.#admit(Buffer.concat(this.#body));
    } catch (error) {
      reportInternalError(error);
      admitted = { call: undefined, blocked: undefined };
    }
    if (admitted instanceof Promise) void admitted.then((decided) => this.#decide(decided));
    else this.#decide(admitted);
  }

  override _read(): void {
    this.#real?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#cancelled = true;
    if (this.#real !== undefined && !this.#real.destroyed) this.#real.destroy(error ?? undefined);
    callback(error);
  }

  close(code?: number, callback?: () => void): void {
    if (callback) this.once('close', callback);
    if (this.#real !== undefined) this.#real.close(code);
    else this.destroy();
  }

  setTimeout(ms: number, callback?: () => void): this {
    if (this.#real !== undefined) this.#real.setTimeout(ms, callback);
    else this.#timeout = [ms, callback];
    return this;
  }

  priority(options: object): void {
    (this.#real as { priority?: (options: object) => void } | undefined)?.priority?.(options);
  }

  #decide({ call, blocked }: { call: ObservedCall | undefined; blocked: BlockReason | undefined }): void {
    if (this.#cancelled) return;
    if (call !== undefined && blocked !== undefined) return answerBlocked(this, call, blocked, this.#blockMode);
    const real = this.#open();
    this.#real = real;
    if (this.#timeout !== undefined) real.setTimeout(...this.#timeout);
    if (call !== undefined) observeStream(call, real);
    for (const event of ['response', 'headers', 'trailers', 'aborted', 'frameError', 'wantTrailers', 'ready'] as const) {
      real.on(event, (...args: unknown[]) => this.emit(event, ...args));
    }
    real.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) real.pause();
    });
    let ended = false;
    real.once('end', () => {
      ended = true;
      this.push(null);
    });
    real.once('error', (error: Error) => this.destroy(error));
    // Reset or closed before its end: the app's stream closes too, as the real one did.
    real.once('close', () => {
      if (!ended && !this.destroyed) this.destroy(real.errored ?? undefined);
    });
    for (const chunk of this.#body) real.write(chunk);
    real.end();
  }
}

/**
 * Reads one stream's answer as it goes by: the headers from its 'response'
 * event (a listener there changes nothing), the body from its `push()` — a
 * 'data' listener would switch it to flowing mode.
 */
function observeStream(call: ObservedCall, stream: ClientHttp2Stream): void {
  stream.once('response', (headers: IncomingHttpHeaders) => {
    call.responseStarted(Number(headers[':status'] ?? 0), (name) => headerValue(headers[name]));
  });
  const original = stream.push;
  const observing = function push(this: ClientHttp2Stream, ...args: Parameters<ClientHttp2Stream['push']>): boolean {
    try {
      return original.apply(this, args);
    } finally {
      const chunk = args[0];
      if (chunk === null) call.ended();
      else if (chunk instanceof Uint8Array) call.data(chunk);
    }
  };
  Object.defineProperty(stream, 'push', { value: observing, writable: true, configurable: true, enumerable: false });
  // Recorded once: after ended() this does nothing.
  stream.once('close', () => call.failed(stream.errored ?? abortError()));
}

function headerValue(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** A blocked call's answer, given by the stream the app holds: a 402 in the provider's own shape, or `CostctlBlockedError`. */
function answerBlocked(stream: Duplex, call: ObservedCall, block: BlockReason, mode: BlockMode): void {
  if (mode === 'throw') {
    stream.destroy(new CostctlBlockedError(block));
    return;
  }
  const { status, headers, body } = blockedResponse(call.adapter, block);
  stream.emit('response', { ':status': status, ...headers, 'content-length': String(Buffer.byteLength(body)) }, 0);
  stream.push(body);
  stream.push(null);
}
