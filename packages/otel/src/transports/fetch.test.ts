import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Agent, getGlobalDispatcher, request as undiciRequest, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PriceTable } from '../pricing/price-table.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from '../call/endpoints.js';
import { installFetch } from './fetch.js';
import { CallObserver } from '../call/observer.js';
import { subscribeUndiciChannels } from './undici-channels.js';

const usage = { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 };
const completion = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini-2024-07-18', choices: [], usage });
const chunks = [
  `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Hel"}}],"usage":null}\n\n`,
  `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"lo"}}],"usage":null}\n\n`,
  `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":${JSON.stringify(usage)}}\n\n`,
  'data: [DONE]\n\n',
];

/** A small OpenAI-shaped server: `/v1/chat/completions` answers JSON, SSE, gzip, or hangs mid-stream. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk));
  req.on('end', () => {
    const json = JSON.parse(body || '{}') as { stream?: boolean; model?: string };
    if (req.url?.startsWith('/done-hang/')) {
      // A stream without usage that says [DONE] but keeps the connection open.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`${chunks[0]}${chunks[1]}data: [DONE]\n\n`);
      return;
    }
    if (req.url?.startsWith('/hang/')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunks[0]);
      return;
    }
    if (json.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const chunk of chunks) res.write(chunk);
      res.end();
      return;
    }
    if (req.url?.startsWith('/gzip/')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(completion));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(completion);
  });
}

let server: Server;
let base: string;
const results: CallResult[] = [];
const sink = { record: (result: CallResult) => void results.push(result) };
let stops: (() => void)[] = [];
let matcher: EndpointMatcher;

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  matcher = new EndpointMatcher(['/v1', '/gzip/v1', '/hang/v1', '/done-hang/v1'].map((path) => ({ provider: 'openai', baseUrl: `${base}${path}` })));
  const observer = new CallObserver(matcher, [], { table: new PriceTable(), sink });
  stops = [installFetch(observer, 'respond'), subscribeUndiciChannels(observer)];
});

afterAll(async () => {
  for (const stop of stops) stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  results.length = 0;
});

const post = (path: string, body: object, init: RequestInit & { dispatcher?: Dispatcher } = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });

/** Waits for the observer to record `count` calls (it records as the body ends, after the app's read resolves). */
async function recorded(count: number): Promise<CallResult[]> {
  for (let i = 0; i < 100 && results.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return results;
}

describe('the fetch wrapper', () => {
  it('prices a JSON call and hands the app the exact body', async () => {
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(await response.text()).toBe(completion);
    const [result] = await recorded(1);
    expect(result).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      outcome: 'ok',
      usage: { input: 30, output: 5 },
      cost: { source: 'price_table', usd: expect.closeTo((30 * 0.15 + 5 * 0.6) / 1e6, 15) },
    });
  });

  it('prices a stream and lets every chunk through unchanged', async () => {
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [] });
    expect(await response.text()).toBe(chunks.join(''));
    const [result] = await recorded(1);
    expect(result?.usage).toMatchObject({ input: 30, output: 5 });
    expect(result?.cost?.source).toBe('price_table');
  });

  it('reads a gzip body for itself while the app still gets it decoded by fetch', async () => {
    const response = await post('/gzip/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] });
    expect(await response.text()).toBe(completion);
    const [result] = await recorded(1);
    expect(result?.usage).toMatchObject({ input: 30, output: 5 });
  });

  it('goes through a per-request dispatcher, and still observes the call', async () => {
    const agent = new Agent();
    let dispatched = 0;
    const counting = agent.compose((dispatch) => (options, handler) => {
      dispatched += 1;
      return dispatch(options, handler);
    });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] }, { dispatcher: counting });
    await response.text();
    expect(dispatched).toBe(1);
    expect(await recorded(1)).toHaveLength(1);
    await agent.close();
  });

  it('goes through a global dispatcher set after start-up, and still observes the call', async () => {
    const previous = getGlobalDispatcher();
    let dispatched = 0;
    setGlobalDispatcher(
      new Agent().compose((dispatch) => (options, handler) => {
        dispatched += 1;
        return dispatch(options, handler);
      }),
    );
    try {
      await (await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] })).text();
    } finally {
      setGlobalDispatcher(previous);
    }
    expect(dispatched).toBe(1);
    expect(await recorded(1)).toHaveLength(1);
  });

  it('keeps AbortController working mid-stream, and counts the cut call as an estimate', async () => {
    const controller = new AbortController();
    const response = await post('/hang/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [] }, { signal: controller.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(chunks[0]);
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'error', errorType: 'AbortError', cost: { source: 'estimated' } });
    expect(result!.usage.output).toBeGreaterThan(0);
  });

  it('counts a stream the client aborts after [DONE] as ok, even without usage (the OpenAI client does)', async () => {
    const controller = new AbortController();
    const response = await post('/done-hang/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [] }, { signal: controller.signal });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('[DONE]')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await reader.read().catch(() => undefined);
    const [result] = await recorded(1);
    expect(result).toMatchObject({ outcome: 'ok', errorType: undefined, cost: { source: 'estimated' } });
  });

  it('passes a connection error to the app unchanged and counts the call as failed, unbilled', async () => {
    const closed = `http://127.0.0.1:1`;
    const error = await fetch(`${closed}/v1/chat/completions`, { method: 'POST', body: '{}' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect(results).toHaveLength(0);
  });

  it('leaves requests to other hosts and paths alone', async () => {
    await (await fetch(`${base}/v1/models`)).text();
    await (await fetch(`${base}/other`, { method: 'POST', body: '{}' })).text();
    expect(results).toHaveLength(0);
  });

  it('matches an unbillable request once, not again when undici makes it', async () => {
    const match = vi.spyOn(matcher, 'match');
    try {
      await (await fetch(`${base}/other?page=2`, { method: 'POST', body: '{}' })).text();
      expect(match).toHaveBeenCalledTimes(1);
    } finally {
      match.mockRestore();
    }
    expect(results).toHaveLength(0);
  });

  it('still observes a billable undici request that an app dispatcher makes while it sends an unbillable fetch', async () => {
    const agent = new Agent();
    let side: Promise<string> | undefined;
    const calling = agent.compose((dispatch) => (options, handler) => {
      side ??= undiciRequest(`${base}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
        dispatcher: agent,
      }).then(({ body }) => body.text());
      return dispatch(options, handler);
    });
    await (await fetch(`${base}/other`, { method: 'POST', body: '{}', dispatcher: calling } as RequestInit)).text();
    expect(await side).toBe(completion);
    expect(await recorded(1)).toMatchObject([{ requestModel: 'gpt-4o-mini', outcome: 'ok' }]);
    await agent.close();
  });

  it('never lets a failure inside costctl reach the app', async () => {
    const record = sink.record;
    sink.record = () => {
      throw new Error('sink exploded');
    };
    try {
      const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [] });
      expect(await response.text()).toBe(chunks.join(''));
    } finally {
      sink.record = record;
    }
  });
});

describe('the undici package', () => {
  it('observes undici.request() with its own Agent through the diagnostics channels', async () => {
    const agent = new Agent();
    const { body } = await undiciRequest(`${base}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
      dispatcher: agent,
    });
    expect(await body.text()).toBe(completion);
    const [result] = await recorded(1);
    expect(result).toMatchObject({ requestModel: 'gpt-4o-mini', outcome: 'ok', usage: { input: 30, output: 5 }, cost: { source: 'price_table' } });
    await agent.close();
  });

  it('counts undici.request() through the global dispatcher, priced where the runtime shows its body', async () => {
    const { body } = await undiciRequest(`${base}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(await body.text()).toBe(completion);
    const [result] = await recorded(1);
    // Node 22's bundled undici (v6), which owns the global dispatcher there, publishes no body chunks.
    if (Number(process.versions.node.split('.')[0]) >= 24) {
      expect(result).toMatchObject({ outcome: 'ok', usage: { input: 30, output: 5 }, cost: { source: 'price_table' } });
    } else {
      expect(result).toMatchObject({ outcome: 'ok', billable: true, cost: undefined, unpricedReason: 'body_unobservable' });
    }
  });
});
