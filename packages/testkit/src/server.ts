/**
 * The fake provider: a real `node:http` server on 127.0.0.1 answering in the
 * wire formats of OpenAI and Anthropic, for the official SDKs unmodified.
 */
import { type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ProviderApi, type ProviderName, type RequestBody, providerOf } from './api.js';
import { EventStream, type SentBody, acceptsGzip, sendJson } from './body.js';
import { FLAVOURS, flavourInPath, parseFlavour } from './flavour.js';
import { responseModel } from './models.js';
import { SCENARIO_NAMES, type Scenario, errorStatus, parseScenario, scenarioInPath, splitModel } from './scenario.js';
import { anthropicMessages } from './wire/anthropic-messages.js';
import { errorBody, newRequestId, requestIdHeader, scenarioMessage, shouldRetry } from './wire/errors.js';
import type { StreamPlan, WireFormat } from './wire/format.js';
import { mistralFim, openaiChat } from './wire/openai-chat.js';
import { openaiEmbeddings } from './wire/openai-embeddings.js';
import { openaiResponses } from './wire/openai-responses.js';

/** How the fake provider paces and encodes its answers. */
export interface FakeProviderOptions {
  /** Time to first byte (the response head), in ms. Default 0. */
  latencyMs?: number;
  /** Pause between two stream events, in ms. Default 0. */
  chunkDelayMs?: number;
  /** Gzip bodies (JSON and SSE, flushed per event) when the request's `accept-encoding` allows it. Default false. */
  compress?: boolean;
  /** How long `cut-after-usage` holds a fully sent response open before destroying its socket, in ms. Default 1000. */
  holdOpenMs?: number;
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
}

/** What the fake provider saw of one request: never headers, never message contents. */
export interface RecordedRequest {
  method: string;
  /** URL path without the query, prefix included (e.g. `/openai/v1/chat/completions`). */
  path: string;
  /** The API the path matched, or null (answered 404). */
  api: ProviderApi | null;
  /** The model asked for, without its scenario suffix; null when the body named none. */
  model: string | null;
  /** True when the answer was an event stream. */
  stream: boolean;
  /** The scenario applied; null when the request named an unknown one (answered 400). */
  scenario: Scenario | null;
  /** The HTTP status answered. */
  status: number;
}

/** A running fake provider. */
export interface FakeProvider {
  /** `http://127.0.0.1:PORT`; any path prefix may follow (`${url}/openai/v1`). */
  readonly url: string;
  /** Every request received, in order; `reset()` empties this same array. */
  readonly requests: readonly RecordedRequest[];
  reset(): void;
  /** Stops listening and drops every open connection, held ones included. */
  close(): Promise<void>;
}

interface Settings {
  latencyMs: number;
  chunkDelayMs: number;
  compress: boolean;
  holdOpenMs: number;
}

const ROUTES: ReadonlyArray<readonly [suffix: string, format: WireFormat]> = [
  ['/chat/completions', openaiChat],
  ['/fim/completions', mistralFim],
  ['/responses', openaiResponses],
  ['/embeddings', openaiEmbeddings],
  ['/messages', anthropicMessages],
];

/**
 * Starts a fake provider. Routes match the end of the path, so any base URL
 * prefix works: `POST …/chat/completions`, `…/responses`, `…/embeddings`
 * (OpenAI) and `…/messages` (Anthropic); anything else is a 404 in the
 * provider's error shape. See `scenario.ts` for the failure scenarios and
 * `usage.ts` for the token accounting.
 *
 * @example
 * const provider = await startFakeProvider({ chunkDelayMs: 5 });
 * const openai = new OpenAI({ apiKey: 'test', baseURL: `${provider.url}/v1` });
 * const anthropic = new Anthropic({ apiKey: 'test', baseURL: provider.url });
 * // …
 * await provider.close();
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const settings: Settings = {
    latencyMs: options.latencyMs ?? 0,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    compress: options.compress ?? false,
    holdOpenMs: options.holdOpenMs ?? 1000,
  };
  const requests: RecordedRequest[] = [];
  const inFlight = new Set<AbortController>();

  const server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on('close', () => {
      controller.abort();
      inFlight.delete(controller);
    });
    // A client that goes away mid-answer rejects the pending write or pause: drop the socket.
    answer(req, res, controller.signal, settings, requests).catch(() => res.destroy());
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
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, signal: AbortSignal, settings: Settings, requests: RecordedRequest[]): Promise<void> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  const format = method === 'POST' ? ROUTES.find(([suffix]) => path.replace(/\/+$/, '').endsWith(suffix))?.[1] : undefined;
  const provider: ProviderName = format ? providerOf(format.api) : req.headers['anthropic-version'] ? 'anthropic' : 'openai';
  const requestId = newRequestId(provider);
  const compress = settings.compress && acceptsGzip(req.headers['accept-encoding']);
  const headers: OutgoingHttpHeaders = { [requestIdHeader(provider)]: requestId };
  const raw = await readBody(req);
  const pathScenario = scenarioInPath(path);
  // OpenAI-compatible providers are played on OpenAI's routes (see flavour.ts).
  const flavour = parseFlavour(flavourInPath(path) ?? 'openai');
  const record = { method, path, api: format?.api ?? null, model: null, stream: false };

  const fail = async (status: number, message: string, entry: Omit<RecordedRequest, 'status'>): Promise<void> => {
    requests.push({ ...entry, status });
    await pause(settings.latencyMs, signal);
    const retry = { 'x-should-retry': String(shouldRetry(status)) };
    const sent = await sendJson(res, status, { ...headers, ...retry }, errorBody(provider, status, message, requestId, flavour), { compress, half: false });
    sent.end();
  };

  if (format === undefined) {
    const scenario = parseScenario(pathScenario ?? 'normal') ?? null;
    const message = provider === 'openai' ? `Invalid URL (${method} ${path})` : 'Not Found';
    return fail(404, message, { ...record, scenario });
  }
  if (flavour === undefined) {
    return fail(400, `Unknown costctl testkit flavour "${flavourInPath(path)}" in ${path}; expected one of: ${FLAVOURS.join(', ')}.`, {
      ...record,
      scenario: null,
    });
  }
  const body = parseBody(raw);
  if (body === undefined) {
    return fail(400, 'We could not parse the JSON body of your request.', { ...record, scenario: null });
  }
  const requested = body['model'];
  if (typeof requested !== 'string' || requested === '') {
    return fail(400, 'You must provide a model parameter.', { ...record, scenario: null });
  }
  const split = splitModel(requested);
  const named = split.scenario ?? pathScenario ?? 'normal';
  const scenario = parseScenario(named);
  const stream = body['stream'] === true && format.stream !== undefined;
  const entry = { ...record, model: split.model, stream, scenario: scenario ?? null };
  if (scenario === undefined) {
    return fail(400, `Unknown costctl testkit scenario "${named}" in "${requested}"; expected one of: ${SCENARIO_NAMES}.`, entry);
  }
  const status = errorStatus(scenario);
  if (status !== undefined && !(scenario === 'stream-error' && stream)) {
    return fail(status, scenarioMessage(status, scenario), entry);
  }

  requests.push({ ...entry, status: 200 });
  await pause(settings.latencyMs, signal);
  const call = { model: responseModel(format.api, requested, flavour), requestId, created: Math.floor(Date.now() / 1000), flavour };
  if (stream && format.stream) {
    const events = new EventStream(res, headers, compress);
    await sendEvents(events, format.stream(body, call), scenario, settings, signal);
    return conclude(events, scenario, settings, signal);
  }
  const sent = await sendJson(res, 200, headers, format.json(body, call), { compress, half: isCut(scenario) });
  return conclude(sent, scenario, settings, signal);
}

/** Sends the plan's events; the cuts and `stream-error` stop halfway, `cut-mid-event` in the middle of the next event, `stream-error` adding its error event. */
async function sendEvents(events: EventStream, plan: StreamPlan, scenario: Scenario, settings: Settings, signal: AbortSignal): Promise<void> {
  const stop = isCut(scenario) || scenario === 'stream-error' ? plan.halfway : plan.events.length;
  for (let i = 0; i < stop; i++) {
    if (i > 0) await pause(settings.chunkDelayMs, signal);
    signal.throwIfAborted();
    await events.send(plan.events[i] as string);
  }
  if (scenario === 'cut-mid-event') {
    const next = plan.events[stop] as string;
    await pause(settings.chunkDelayMs, signal);
    await events.send(next.slice(0, Math.ceil(next.length / 2)));
  }
  if (scenario === 'stream-error') {
    await pause(settings.chunkDelayMs, signal);
    await events.send(plan.errorEvent);
  }
}

async function conclude(body: SentBody, scenario: Scenario, settings: Settings, signal: AbortSignal): Promise<void> {
  if (scenario === 'cut-after-usage') await pause(settings.holdOpenMs, signal);
  if (isCut(scenario) || scenario === 'cut-after-usage') await body.cut();
  else body.end();
}

/** The scenarios that destroy the socket before the answer is whole. */
function isCut(scenario: Scenario): boolean {
  return scenario === 'cut' || scenario === 'cut-mid-event';
}

// Zero means no timer at all: benchmarks run with no pacing. The global timer, so a test's fake timers pace the server too.
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const abort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer): RequestBody | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RequestBody) : undefined;
  } catch {
    return undefined;
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
