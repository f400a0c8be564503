/**
 * The harness of the cloud fakes (Google, AWS Bedrock): a real `node:http`
 * server on 127.0.0.1 that records each request and lets one answer
 * function write the provider's wire format, with the testkit's scenarios.
 */
import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http';
import { type Http2Server, type Http2Session, createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestBody } from '../api.js';
import { type Scenario, parseScenario, scenarioInPath, splitModel } from '../scenario.js';

/** How a cloud fake paces its answers. */
export interface FakeCloudOptions {
  /** Time to first byte (the response head), in ms. Default 0. */
  latencyMs?: number;
  /** Pause between two stream messages, in ms. Default 0. */
  chunkDelayMs?: number;
  /** How long `cut-after-usage` holds a fully sent response open before destroying its socket, in ms. Default 1000. */
  holdOpenMs?: number;
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /**
   * Speak HTTP/2 without TLS (h2c, prior knowledge) instead of HTTP/1.1, as
   * clients whose default transport is `node:http2` need (the AWS SDK's
   * NodeHttp2Handler). Default false.
   */
  http2?: boolean;
}

/** What a cloud fake saw of one request: never headers, never message contents. */
export interface FakeCloudRequest {
  method: string;
  /** URL path without the query, as sent (the model id still URL-encoded). */
  path: string;
  /** The operation the path matched (e.g. `gemini.generate`, `bedrock.converse`), or null (answered 404). */
  api: string | null;
  /** The model named in the path, decoded, without its scenario suffix; null when there was none. */
  model: string | null;
  /** True when the answer was a stream. */
  stream: boolean;
  /** The scenario applied; null when the request named an unknown one (answered 400). */
  scenario: Scenario | null;
  status: number;
}

/** A running cloud fake. */
export interface FakeCloud {
  /** `http://127.0.0.1:PORT`; any path prefix may follow (`${url}/scenario/cut`). */
  readonly url: string;
  /** Every request received, in order; `reset()` empties this same array. */
  readonly requests: readonly FakeCloudRequest[];
  reset(): void;
  /** Stops listening and drops every open connection, held ones included. */
  close(): Promise<void>;
}

/** Pacing, resolved. */
export type Pacing = Required<Omit<FakeCloudOptions, 'port' | 'http2'>>;

/** One request, as the answer function gets it. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The JSON body, or undefined when it is not a JSON object. */
  readonly body: RequestBody | undefined;
  /** Aborted when the client goes away or the server closes. */
  readonly signal: AbortSignal;
  readonly pacing: Pacing;
  /** Adds the request to `requests`, once its status is known. */
  record(entry: FakeCloudRequest): void;
}

/** Writes the answer to one request; a rejection destroys the socket. */
export type AnswerFunction = (exchange: Exchange) => Promise<void>;

/**
 * Starts a cloud fake that answers every request with `answer`.
 *
 * @example
 * const fake = await startFakeCloud(async ({ res }) => void res.end('{}'));
 * await fetch(`${fake.url}/anything`, { method: 'POST' });
 * await fake.close();
 */
export async function startFakeCloud(answer: AnswerFunction, options: FakeCloudOptions = {}): Promise<FakeCloud> {
  const pacing: Pacing = { latencyMs: options.latencyMs ?? 0, chunkDelayMs: options.chunkDelayMs ?? 0, holdOpenMs: options.holdOpenMs ?? 1000 };
  const requests: FakeCloudRequest[] = [];
  const inFlight = new Set<AbortController>();
  const listener: RequestListener = (req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on('close', () => {
      controller.abort();
      inFlight.delete(controller);
    });
    const url = new URL(req.url ?? '/', 'http://fake');
    readJson(req)
      .then((body) =>
        answer({
          req,
          res,
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          body,
          signal: controller.signal,
          pacing,
          record: (entry) => requests.push(entry),
        }),
      )
      // A client that goes away mid-answer rejects the pending write or pause: drop the socket.
      .catch(() => res.destroy());
  };
  // HTTP/2's compatibility API gives the same request and response methods the answers use.
  const sessions = new Set<Http2Session>();
  const server = options.http2 ? createHttp2Server(listener as never) : createServer(listener);
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reset() {
      requests.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        for (const controller of inFlight) controller.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const session of sessions) session.destroy();
      });
      return closed;
    },
  };
}

/**
 * The scenario a request asks for: a `+<scenario>` suffix on the model wins
 * over a `/scenario/<name>/` path segment; undefined when the name is unknown.
 *
 * @example
 * requestScenario('/scenario/cut/v1beta/models/gemini-2.5-flash:generateContent', 'gemini-2.5-flash') // { model: 'gemini-2.5-flash', named: 'cut', scenario: 'cut' }
 */
export function requestScenario(path: string, requested: string): { model: string; named: string; scenario: Scenario | undefined } {
  const { model, scenario } = splitModel(requested);
  const named = scenario ?? scenarioInPath(path) ?? 'normal';
  return { model, named, scenario: parseScenario(named) };
}

/**
 * A path segment URL-decoded (model ids are encoded in paths), or as sent when it does not decode.
 *
 * @example
 * decodedSegment('amazon.nova-lite-v1%3A0') // 'amazon.nova-lite-v1:0'
 */
export function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Where a stream's messages go, whatever their framing. */
export interface MessageSink<T> {
  send(message: T): Promise<void>;
  end(): void;
  cut(): void | Promise<void>;
}

/** A stream's messages, and where `cut` and `stream-error` stop them. */
export interface MessagePlan<T> {
  messages: readonly T[];
  /** Index of the first message after half the content. */
  halfway: number;
  /** The provider's in-stream error, sent at `halfway` by `stream-error`. */
  error: T;
}

/**
 * Sends a stream as the scenario says: whole (`normal`), whole then held
 * open and cut (`cut-after-usage`), half then cut (`cut`), or half then the
 * provider's error and a clean end (`stream-error`).
 *
 * @example
 * await sendPlan(sink, plan, 'cut', pacing, signal);
 */
export async function sendPlan<T>(sink: MessageSink<T>, plan: MessagePlan<T>, scenario: Scenario, pacing: Pacing, signal: AbortSignal): Promise<void> {
  const stop = scenario === 'cut' || scenario === 'stream-error' ? plan.halfway : plan.messages.length;
  for (let i = 0; i < stop; i++) {
    if (i > 0) await pause(pacing.chunkDelayMs, signal);
    signal.throwIfAborted();
    await sink.send(plan.messages[i] as T);
  }
  if (scenario === 'stream-error') {
    await pause(pacing.chunkDelayMs, signal);
    await sink.send(plan.error);
  }
  await conclude(sink, scenario, pacing, signal);
}

/**
 * Ends a sent body as the scenario says: cleanly, cut at once, or held open and then cut.
 *
 * @example
 * await conclude(await sendJson(res, 200, {}, payload, { compress: false, half: false }), 'cut-after-usage', pacing, signal);
 */
export async function conclude(sink: Pick<MessageSink<unknown>, 'end' | 'cut'>, scenario: Scenario, pacing: Pacing, signal: AbortSignal): Promise<void> {
  if (scenario === 'cut-after-usage') await pause(pacing.holdOpenMs, signal);
  if (scenario === 'cut' || scenario === 'cut-after-usage') await sink.cut();
  else sink.end();
}

/**
 * Waits `ms` (no timer at all for 0), or rejects when the exchange is aborted.
 *
 * @example
 * await pause(pacing.chunkDelayMs, signal);
 */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal });
}

/**
 * Resolves once the bytes have been handed to the socket (or the socket is gone).
 *
 * @example
 * await write(res, encodeEventStreamMessage(frame));
 */
export function write(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    res.write(chunk, () => resolve());
  });
}

async function readJson(req: IncomingMessage): Promise<RequestBody | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RequestBody) : undefined;
  } catch {
    return undefined;
  }
}

function listen(server: Server | Http2Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
