import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Admission, Budgets } from '../budget/budgets.js';
import type { BlockMode } from '../config/schema.js';
import { CostctlBlockedError, type BlockReason } from '../model/errors.js';
import { PriceTable } from '../pricing/price-table.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from '../call/endpoints.js';
import { heldRequestOf } from './request-hooks.js';
import { installNodeHttp } from './node-http.js';
import { CallObserver } from '../call/observer.js';

const usage = { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 };
const completion = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini-2024-07-18', choices: [], usage });
const event = (content: string) =>
  `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"${content}"}}],"usage":null}\n\n`;
const usageEvent = `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
const stream = [event('Hel'), event('lo'), usageEvent, 'data: [DONE]\n\n'];
/** Priced from the price data for gpt-4o-mini: $0.15 / $0.60 per million tokens. */
const costOfUsage = (30 * 0.15 + 5 * 0.6) / 1e6;

/** An OpenAI-shaped server that counts the connections it accepts. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk));
  req.on('end', () => {
    const json = JSON.parse(body || '{}') as { stream?: boolean };
    const route = req.url!.split('/')[1];
    if (route === 'hang' || route === 'reset') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(stream[0]);
      if (route === 'reset') setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (route === 'big') {
      // Far more than any stream buffer holds: shows whether backpressure still reaches the server.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 20_000; i++) res.write(event('x'.repeat(100)));
      res.end(`${usageEvent}data: [DONE]\n\n`);
      return;
    }
    if (json.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(stream.join(''));
      return;
    }
    if (route === 'gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(completion));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
    res.end(completion);
  });
}

let server: http.Server;
let base: string;
let connections = 0;
let requests = 0;
const results: CallResult[] = [];
const sink = { record: (result: CallResult) => void results.push(result) };
let decide: () => Admission | Promise<Admission> = () => ({ blocked: undefined, reservation: undefined });
let observer: CallObserver;
let uninstall: () => void = () => {};

const install = (mode: BlockMode) => {
  uninstall();
  uninstall = installNodeHttp(observer, mode);
};

beforeAll(async () => {
  server = http.createServer(answer);
  server.on('connection', () => (connections += 1));
  server.on('request', () => (requests += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const endpoints = ['/v1', '/gzip/v1', '/hang/v1', '/reset/v1', '/big/v1'].map((path) => ({ provider: 'openai', baseUrl: `${base}${path}` }));
  const budgets = { admit: () => decide() } as unknown as Budgets;
  observer = new CallObserver(new EndpointMatcher(endpoints), [], { table: new PriceTable(), sink }, budgets);
  install('respond');
});

afterAll(async () => {
  uninstall();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  results.length = 0;
  connections = 0;
  requests = 0;
  decide = () => ({ blocked: undefined, reservation: undefined });
  install('respond');
});

/** Waits for `count` recorded calls (a call is recorded when its body ends, maybe after the app has it). */
async function recorded(count: number): Promise<CallResult[]> {
  for (let i = 0; i < 100 && results.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return results;
}

/** Runs `scenario` with costctl's patch taken out, so a test can compare what the app sees. */
async function withoutCostctl<T>(scenario: () => Promise<T>): Promise<T> {
  uninstall();
  try {
    return await scenario();
  } finally {
    install('respond');
  }
}

const chatBody = (extra: object = {}) => JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], ...extra });

/** What the app sees of one exchange: status, headers less the date, every byte, and how it failed. */
interface Seen {
  status?: number;
  headers?: Record<string, unknown>;
  body: string;
  error?: { name: string; message: string; code?: unknown };
  events: string[];
}

/** Starts a POST to `path`, ends it with `body` (null: leaves it open), and reads the response with 'data' events. */
function exchange(path: string, body: string | null = chatBody(), options: http.RequestOptions = {}): Promise<Seen> & { request: ClientRequest } {
  const request = http.request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...options });
  const promise = see(request);
  if (body !== null) request.end(body);
  return Object.assign(promise, { request });
}

function see(request: ClientRequest): Promise<Seen> {
  return new Promise((resolve) => {
    const seen: Seen = { body: '', events: [] };
    const done = () => resolve(seen);
    request.on('error', (error: Error & { code?: unknown }) => {
      seen.events.push('request error');
      seen.error = { name: error.name, message: error.message, code: error.code };
    });
    request.on('close', () => {
      seen.events.push('request close');
      if (seen.status === undefined) done();
    });
    request.on('response', (response: IncomingMessage) => {
      seen.status = response.statusCode;
      const { date: _date, ...headers } = response.headers;
      seen.headers = headers;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (seen.body += chunk));
      response.on('error', (error: Error & { code?: unknown }) => {
        seen.events.push('response error');
        seen.error = { name: error.name, message: error.message, code: error.code };
      });
      response.on('end', () => seen.events.push('response end'));
      response.on('close', () => {
        seen.events.push('response close');
        setTimeout(done, 5);
      });
    });
  });
}

const gate: BlockReason = { code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', spent: 0, limit: 0, reason: 'runaway loop' };
const budget: BlockReason = { code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'daily_usd', spent: 9.99, limit: 10 };

describe('node:http capture', () => {
  it('prices a JSON call and hands the app exactly what it would get without costctl', async () => {
    const seen = await exchange('/v1/chat/completions');
    const [result] = await recorded(1);
    expect(result).toMatchObject({
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      outcome: 'ok',
      usage: { input: 30, output: 5 },
      cost: { source: 'price_table', usd: expect.closeTo(costOfUsage, 15) },
    });
    expect(seen).toEqual(await withoutCostctl(() => exchange('/v1/chat/completions')));
    expect(seen.body).toBe(completion);
  });

  it('prices a stream read with pipe(), and one read by async iteration', async () => {
    const piped: Buffer[] = [];
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const response = new Promise<IncomingMessage>((resolve) => request.on('response', resolve));
    request.end(chatBody({ stream: true }));
    await pipeline(await response, new Writable({ write: (chunk: Buffer, _enc, callback) => (piped.push(chunk), callback()) }));
    expect(Buffer.concat(piped).toString()).toBe(stream.join(''));

    const again = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const iterated = new Promise<IncomingMessage>((resolve) => again.on('response', resolve));
    again.end(chatBody({ stream: true }));
    let text = '';
    for await (const chunk of await iterated) text += chunk;
    expect(text).toBe(stream.join(''));

    const calls = await recorded(2);
    expect(calls.map((call) => [call.outcome, call.usage.input, call.usage.output, call.cost?.source])).toEqual([
      ['ok', 30, 5, 'price_table'],
      ['ok', 30, 5, 'price_table'],
    ]);
  });

  it('counts a response nobody listens for as unpriced, never $0: Node dumps its body unread', async () => {
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const closed = new Promise((resolve) => request.on('close', resolve));
    request.end(chatBody());
    await closed;
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'ok', billable: true, cost: undefined, unpricedReason: 'body_unobservable' });
  });

  it('prices a response the app reads only after a while', async () => {
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const response = await new Promise<IncomingMessage>((resolve) => request.on('response', resolve).end(chatBody()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'ok', usage: { input: 30, output: 5 } });
    let text = '';
    for await (const chunk of response) text += chunk;
    expect(text).toBe(completion);
  });

  it('keeps backpressure: an unread stream holds as many bytes as without costctl, then reads whole', async () => {
    const buffered = async () => {
      const request = http.request(`${base}/big/v1/chat/completions`, { method: 'POST' });
      const response = await new Promise<IncomingMessage>((resolve) => request.on('response', resolve).end(chatBody({ stream: true })));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const held = response.readableLength;
      let bytes = 0;
      for await (const chunk of response) bytes += (chunk as Buffer).byteLength;
      return { held, bytes };
    };
    const observed = await buffered();
    const bare = await withoutCostctl(buffered);
    // What sits in the buffer depends on how TCP cut the chunks; both stop at the stream's high-water mark.
    expect(Math.abs(observed.held - bare.held)).toBeLessThan(64 * 1024);
    expect(observed.held).toBeLessThan(observed.bytes / 10);
    expect(observed.bytes).toBe(bare.bytes);
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'ok', usage: { input: 30, output: 5 } });
  });

  it('reads a gzip body for itself while the app gets the compressed bytes it asked for', async () => {
    const request = http.request(`${base}/gzip/v1/chat/completions`, { method: 'POST' });
    const response = await new Promise<IncomingMessage>((resolve) => request.on('response', resolve).end(chatBody()));
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(gzipSync(completion));
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'ok', usage: { input: 30, output: 5 }, cost: { source: 'price_table' } });
  });

  it('reads the model from a body written in several write() calls', async () => {
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const seen = see(request);
    const body = chatBody({ model: 'gpt-4o' });
    request.write(body.slice(0, 10));
    request.write(Buffer.from(body.slice(10, 30)));
    request.end(body.slice(30), 'utf8');
    expect((await seen).body).toBe(completion);
    const [result] = await recorded(1);
    expect(result?.requestModel).toBe('gpt-4o');
  });

  it('reads a body written as text in any encoding as the bytes that went out', async () => {
    const text = chatBody({ model: 'gpt-4o', messages: [{ role: 'user', content: 'café ☕ — 🎉' }] });
    const latin1 = chatBody({ model: 'gpt-4o', messages: [{ role: 'user', content: 'café' }] });
    const cases = [
      [[text], 'utf8'],
      [[text.slice(0, 60), text.slice(60)], 'UTF-8'],
      [[latin1], 'latin1'],
    ] as const;
    for (const [pieces, encoding] of cases) {
      const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
      const seen = see(request);
      for (const piece of pieces.slice(0, -1)) request.write(piece, encoding as BufferEncoding);
      request.end(pieces.at(-1), encoding as BufferEncoding);
      await seen;
      const [result] = await recorded(1);
      results.length = 0;
      expect(result?.requestModel, encoding).toBe('gpt-4o');
    }
  });

  it('does not deadlock a writer that waits for drain on a body larger than the buffer', async () => {
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const seen = see(request);
    const padding = 'x'.repeat(256 * 1024);
    if (!request.write(`{"model":"gpt-4o-mini","pad":"${padding}`)) await new Promise((resolve) => request.once('drain', resolve));
    request.end('","messages":[]}');
    expect((await seen).status).toBe(200);
    const [result] = await recorded(1);
    expect(result?.outcome).toBe('ok');
  });

  it('admits a body as soon as it reaches its content-length, before end() (a race got loses otherwise)', async () => {
    let admitted = false;
    decide = () => ((admitted = true), { blocked: undefined, reservation: undefined });
    const body = chatBody();
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } });
    const seen = see(request);
    request.write(body);
    expect(admitted).toBe(true);
    request.end();
    expect((await seen).body).toBe(completion);
  });

  it('does not deadlock a writer that ends only once its write callback ran (as got does)', async () => {
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const seen = see(request);
    request.write(chatBody({ model: 'gpt-4o' }), () => request.end());
    expect((await seen).body).toBe(completion);
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'ok', requestModel: 'gpt-4o' });
  });

  it('sends an Expect: 100-continue request, admitting it before its body is written', async () => {
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST', headers: { expect: '100-continue' } });
    const seen = see(request);
    request.on('continue', () => request.end(chatBody()));
    expect((await seen).body).toBe(completion);
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'ok', requestModel: undefined });
  });
});

describe('node:http cancellation and failures', () => {
  /** A stream the server never finishes, which the app cuts with `cut` after its first chunk. */
  const cutAfterFirstChunk = (cut: (request: ClientRequest, controller: AbortController) => void) => async () => {
    const controller = new AbortController();
    const request = http.request(`${base}/hang/v1/chat/completions`, { method: 'POST', signal: controller.signal });
    const seen = see(request);
    request.on('response', (response) => response.once('data', () => cut(request, controller)));
    request.end(chatBody({ stream: true }));
    return seen;
  };

  it('keeps req.destroy() mid-stream working, and counts the cut call as an estimate', async () => {
    const destroyed = cutAfterFirstChunk((request) => request.destroy());
    const seen = await destroyed();
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'error', errorType: 'ECONNRESET', cost: { source: 'estimated' } });
    expect(result!.usage.output).toBeGreaterThan(0);
    expect(seen).toEqual(await withoutCostctl(destroyed));
  });

  it('stops a stream under way when the gate trips: the app gets the reason, the call counts what it used', async () => {
    const tripped = new Error('gate tripped');
    const seen = await cutAfterFirstChunk(() => expect(observer.abortInFlight(tripped)).toBe(1))();
    expect(seen.error).toMatchObject({ message: 'gate tripped' });
    expect(seen.events).toContain('response error');
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'error', cost: { source: 'estimated' } });
    expect(observer.abortInFlight(tripped)).toBe(0);
  });

  it('keeps an AbortSignal working mid-stream', async () => {
    const aborted = cutAfterFirstChunk((_request, controller) => controller.abort());
    const seen = await aborted();
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'error', cost: { source: 'estimated' } });
    expect(seen.events).toContain('request error');
    expect(seen).toEqual(await withoutCostctl(aborted));
  });

  it('counts a stream the server resets mid-way as failed, and the app sees the reset as without costctl', async () => {
    const seen = await exchange('/reset/v1/chat/completions', chatBody({ stream: true }));
    expect(seen.error).toMatchObject({ code: 'ECONNRESET', message: 'aborted' });
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'error', errorType: 'ECONNRESET', billable: true });
    expect(seen).toEqual(await withoutCostctl(() => exchange('/reset/v1/chat/completions', chatBody({ stream: true }))));
  });

  it('fails a request destroyed before end() as Node does, without a connection or a record', async () => {
    const destroyEarly = async () => {
      const pending = exchange('/v1/chat/completions', null);
      pending.request.write('{"model":');
      pending.request.destroy();
      return pending;
    };
    const seen = await destroyEarly();
    expect(seen).toMatchObject({ error: { code: 'ECONNRESET', message: 'socket hang up' }, events: ['request error', 'request close'] });
    expect([connections, requests]).toEqual([0, 0]);
    expect(results).toHaveLength(0);
    expect(seen).toEqual(await withoutCostctl(destroyEarly));
  });

  it('fails a request whose signal was aborted before it was made, with no connection', async () => {
    const seen = await exchange('/v1/chat/completions', chatBody(), { signal: AbortSignal.abort() });
    expect(seen.error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect([connections, requests]).toEqual([0, 0]);
  });

  it('passes a refused connection to the app unchanged and counts the call as failed, unbilled', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const endpoints = [{ provider: 'openai', baseUrl: `http://127.0.0.1:${port}/v1` }];
    uninstall();
    uninstall = installNodeHttp(new CallObserver(new EndpointMatcher(endpoints), [], { table: new PriceTable(), sink }), 'respond');
    const seen = await new Promise<Seen>((resolve) => {
      const request = http.request(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST' });
      void see(request).then(resolve);
      request.end(chatBody());
    });
    expect(seen.error).toMatchObject({ code: 'ECONNREFUSED' });
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'error', errorType: 'ECONNREFUSED', billable: false });
  });
});

describe('node:http gate and budgets', () => {
  it('answers a blocked call with a real 402 response and never connects (respond)', async () => {
    decide = () => ({ blocked: budget });
    const seen = await exchange('/v1/chat/completions');
    expect(seen.status).toBe(402);
    expect(seen.headers).toEqual({
      'content-type': 'application/json',
      'x-should-retry': 'false',
      'x-costctl-blocked': 'daily_usd',
      'content-length': String(Buffer.byteLength(seen.body)),
      connection: 'close',
    });
    expect(JSON.parse(seen.body)).toMatchObject({
      error: { type: 'costctl_budget_exceeded', message: expect.stringContaining('budget rule "daily_usd" has $9.99 spent of its $10.00 limit') },
    });
    expect(seen.events).toEqual(expect.arrayContaining(['request close', 'response end', 'response close']));
    expect([connections, requests]).toEqual([0, 0]);
    expect(results).toMatchObject([{ outcome: 'blocked', errorType: 'COSTCTL_BUDGET_EXCEEDED', billable: false }]);
  });

  it('fails a blocked call with CostctlBlockedError and never connects (throw)', async () => {
    install('throw');
    decide = () => ({ blocked: gate });
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
    const error = new Promise<unknown>((resolve) => request.on('error', resolve));
    const closed = new Promise((resolve) => request.on('close', resolve));
    request.end(chatBody());
    expect(await error).toBeInstanceOf(CostctlBlockedError);
    expect(await error).toMatchObject({ code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', message: expect.stringContaining('runaway loop') });
    await closed;
    expect([connections, requests]).toEqual([0, 0]);
  });

  it('waits for an admission that is a Promise (a remote store) before anything leaves', async () => {
    let admit!: (admission: Admission) => void;
    decide = () => new Promise<Admission>((resolve) => (admit = resolve));
    const seen = exchange('/v1/chat/completions');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect([connections, requests]).toEqual([0, 0]);
    admit({ blocked: undefined, reservation: undefined });
    expect((await seen).body).toBe(completion);
    expect(requests).toBe(1);

    decide = () => Promise.resolve({ blocked: gate });
    expect((await exchange('/v1/chat/completions')).status).toBe(402);
    expect(requests).toBe(1);
  });

  it('gives back the reservation of a call the app destroys while its admission is pending', async () => {
    const settled: CallResult[] = [];
    let released = 0;
    let admit!: (admission: Admission) => void;
    decide = () => new Promise<Admission>((resolve) => (admit = resolve));
    const seen = exchange('/v1/chat/completions');
    seen.request.destroy();
    admit({ blocked: undefined, reservation: { settle: (result) => void settled.push(result), release: () => void (released += 1) } });
    expect((await seen).error).toMatchObject({ message: 'socket hang up' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect({ settled, released }).toEqual({ settled: [], released: 1 });
    expect(results).toMatchObject([{ outcome: 'error', billable: false }]);
    expect([connections, requests]).toEqual([0, 0]);
  });

  it("hands a blocked request's createConnection nothing, and an admitted one's after admission", async () => {
    let created = 0;
    const createConnection = (...args: unknown[]) => {
      created += 1;
      return (http.globalAgent as unknown as { createConnection(...a: unknown[]): Socket }).createConnection(...args);
    };
    decide = () => ({ blocked: gate });
    expect((await exchange('/v1/chat/completions', chatBody(), { createConnection } as http.RequestOptions)).status).toBe(402);
    expect(created).toBe(0);
    decide = () => ({ blocked: undefined, reservation: undefined });
    expect((await exchange('/v1/chat/completions', chatBody(), { createConnection } as http.RequestOptions)).body).toBe(completion);
    expect(created).toBe(1);
  });
});

describe('node:http leaves everything else alone', () => {
  it('gives the app its own agent, and other requests go out at once as they always do', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const { request } = exchange('/v1/chat/completions', chatBody(), { agent });
    expect((request as unknown as { agent: unknown }).agent).toBe(agent);
    await see(request);
    const other = http.request(`${base}/v1/models`);
    expect(Object.getOwnPropertyNames(other)).not.toContain('end');
    expect((other as unknown as { agent: unknown }).agent).toBe(http.globalAgent);
    await new Promise((resolve) => other.on('response', (response: IncomingMessage) => response.resume().on('end', resolve)).end());
    expect(results).toHaveLength(1);
    agent.destroy();
  });

  it('adds no property to a request or its response: both keep the hidden class Node optimised its code for', async () => {
    const keys = (object: object) => Reflect.ownKeys(object).map(String).sort();
    const shapes = async () => {
      const request = http.request(`${base}/v1/chat/completions`, { method: 'POST' });
      const response = await new Promise<IncomingMessage>((resolve) => request.on('response', resolve).end(chatBody()));
      const atResponse = keys(request);
      for await (const _ of response);
      return { request: atResponse, response: keys(response) };
    };
    const shape = await shapes();
    expect(await recorded(1)).toHaveLength(1);
    expect(shape).toEqual(await withoutCostctl(shapes));
  });

  it("builds every held request on one stand-in per agent, made once, never the app's agent", async () => {
    const agents: unknown[] = [];
    uninstall();
    const inner = http.request;
    http.request = function (this: unknown, ...args: unknown[]) {
      agents.push((args[1] as { agent?: unknown }).agent);
      return (inner as (...args: unknown[]) => ClientRequest).apply(this, args);
    } as typeof http.request;
    try {
      install('respond');
      await exchange('/v1/chat/completions');
      await exchange('/v1/chat/completions');
    } finally {
      uninstall();
      http.request = inner;
    }
    expect(agents).toHaveLength(2);
    expect(agents[0]).toBe(agents[1]);
    expect(agents[0]).not.toBe(http.globalAgent);
    expect(Object.getPrototypeOf(agents[0])).toBe(http.globalAgent);
  });

  it('lets go of a held request once it closes', async () => {
    const call = exchange('/v1/chat/completions');
    expect(heldRequestOf(call.request)).toBeDefined();
    const seen = await call;
    expect(seen.events).toContain('request close');
    expect(heldRequestOf(call.request)).toBeUndefined();
  });

  it("puts Node's own methods back when the last install is undone", () => {
    const methods = () => ({
      write: http.ClientRequest.prototype.write,
      end: http.ClientRequest.prototype.end,
      flushHeaders: http.ClientRequest.prototype.flushHeaders,
      destroy: http.ClientRequest.prototype.destroy,
      push: http.IncomingMessage.prototype.push,
    });
    const installed = methods();
    installNodeHttp(observer, 'throw')();
    expect(methods()).toEqual(installed);
    uninstall();
    const { destroy, ...inherited } = methods();
    const { OutgoingMessage } = http;
    expect(inherited).toEqual({
      write: OutgoingMessage.prototype.write,
      end: OutgoingMessage.prototype.end,
      flushHeaders: OutgoingMessage.prototype.flushHeaders,
      push: Readable.prototype.push,
    });
    expect(destroy).not.toBe(installed.destroy);
    expect(installed.end).not.toBe(OutgoingMessage.prototype.end);
  });

  it('reads each body once when a patch of ClientRequest.prototype sits on its own across an uninstall and a reinstall', async () => {
    const prototype = http.ClientRequest.prototype as unknown as { end: (...args: unknown[]) => unknown };
    const below = prototype.end;
    let ends = 0;
    prototype.end = function (this: unknown, ...args: unknown[]) {
      ends += 1;
      return below.apply(this, args);
    };
    try {
      uninstall();
      install('respond');
      expect((await exchange('/v1/chat/completions')).body).toBe(completion);
      expect(await recorded(1)).toMatchObject([{ requestModel: 'gpt-4o-mini', outcome: 'ok', usage: { input: 30, output: 5 } }]);
      expect(ends).toBe(1);
    } finally {
      uninstall();
      delete (prototype as { end?: unknown }).end;
    }
  });

  it('composes with another instrumentation that wraps http.request before or after costctl', async () => {
    const wrapped: string[] = [];
    const wrap = (name: string) => {
      const inner = http.request;
      http.request = function (this: unknown, ...args: Parameters<typeof http.request>) {
        wrapped.push(name);
        return inner.apply(this, args);
      } as typeof http.request;
      return () => void (http.request = inner);
    };
    const after = wrap('after');
    expect((await exchange('/v1/chat/completions')).body).toBe(completion);
    after();
    uninstall();
    const before = wrap('before');
    install('respond');
    expect((await exchange('/v1/chat/completions')).body).toBe(completion);
    uninstall();
    before();
    expect(wrapped).toEqual(['after', 'before']);
    expect(await recorded(2)).toHaveLength(2);
  });

  it('never lets a failure inside costctl reach the app', async () => {
    const record = sink.record;
    sink.record = () => {
      throw new Error('sink exploded');
    };
    try {
      expect((await exchange('/v1/chat/completions', chatBody({ stream: true }))).body).toBe(stream.join(''));
    } finally {
      sink.record = record;
    }
    decide = () => {
      throw new Error('budgets exploded');
    };
    expect((await exchange('/v1/chat/completions')).body).toBe(completion);
  });
});
