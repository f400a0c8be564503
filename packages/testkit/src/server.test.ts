import { request } from 'node:http';
import { createGunzip, gunzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FakeProvider, type FakeProviderOptions, expectedReply, startFakeProvider } from './index.js';

const running: FakeProvider[] = [];
async function start(options?: FakeProviderOptions): Promise<FakeProvider> {
  const provider = await startFakeProvider(options);
  running.push(provider);
  return provider;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((provider) => provider.close()));
});

const chatBody = (extra: object = {}): string => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Secret question' }], ...extra });

/** A raw request through node:http, which (unlike fetch) sends no accept-encoding unless told to. */
function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A streamed answer read through node:http as it arrives: how many whole SSE events so far, and whether it ended. */
function openStream(url: string, body: string, headers: Record<string, string> = {}): { events: () => number; ended: () => boolean } {
  let text = '';
  let ended = false;
  const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
    const decoded = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
    decoded.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    decoded.on('end', () => (ended = true));
  });
  req.end(body);
  return { events: () => text.split('\n\n').length - 1, ended: () => ended };
}

// setImmediate is not faked: real I/O goes on while the fake clock stands still.
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
async function ioTurns(count = 20): Promise<void> {
  for (let i = 0; i < count; i++) await turn();
}
async function until(check: () => boolean): Promise<void> {
  while (!check()) await turn();
}

/**
 * Steps a paced stream through the fake clock: before each pause has
 * elapsed no event may arrive, and once it has, exactly one more does.
 * Returns the event counts seen, one per step.
 */
async function stepThrough(stream: { events: () => number; ended: () => boolean }, delayMs: number): Promise<number[]> {
  await until(() => stream.events() > 0);
  const counts = [stream.events()];
  for (;;) {
    await ioTurns();
    if (stream.ended()) return counts;
    const before = counts.at(-1) ?? 0;
    expect(stream.events()).toBe(before);
    await vi.advanceTimersByTimeAsync(delayMs - 1);
    await ioTurns();
    expect(stream.events()).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => stream.events() > before || stream.ended());
    // The end can come later than the last event: then no event followed the last pause.
    if (stream.events() === before) return counts;
    counts.push(stream.events());
  }
}

describe('startFakeProvider', () => {
  it('listens on 127.0.0.1 on a free port', async () => {
    const provider = await start();
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('records method, path, model, stream and scenario, never headers or contents', async () => {
    const provider = await start();
    const openai = new OpenAI({ apiKey: 'sk-very-secret', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Confidential prompt' }] });

    expect(provider.requests).toHaveLength(1);
    const log = JSON.stringify(provider.requests);
    expect(log).not.toContain('sk-very-secret');
    expect(log).not.toContain('Confidential');
  });

  it('reset() empties the same array', async () => {
    const provider = await start();
    const log = provider.requests;
    await post(`${provider.url}/v1/chat/completions`, chatBody());
    provider.reset();

    expect(log).toHaveLength(0);
    expect(provider.requests).toBe(log);
  });

  it('waits latencyMs before the first byte', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const provider = await start({ latencyMs: 150 });
      let answered = false;
      const reply = post(`${provider.url}/v1/chat/completions`, chatBody()).finally(() => (answered = true));
      // Recorded on arrival, then held on the latency timer.
      await until(() => provider.requests.length === 1);
      await vi.advanceTimersByTimeAsync(149);
      await ioTurns();
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await reply).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('paces stream events by chunkDelayMs: none before a pause has elapsed, one after each', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const provider = await start({ chunkDelayMs: 10 });
      const counts = await stepThrough(openStream(`${provider.url}/v1/chat/completions`, chatBody({ max_tokens: 4, stream: true })), 10);
      // role, 4 deltas, finish, [DONE]: the first at once, each other after its own pause.
      expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers a bad JSON body or a missing model with a 400 in the provider shape', async () => {
    const provider = await start();
    const broken = await post(`${provider.url}/v1/messages`, '{"model":', { 'anthropic-version': '2023-06-01' });
    const noModel = await post(`${provider.url}/v1/chat/completions`, '{"messages":[]}');

    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body.toString())).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(noModel.status).toBe(400);
    expect(JSON.parse(noModel.body.toString())).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    expect(broken.headers['x-should-retry']).toBe('false');
  });

  it('answers GET on a known route with a 404 in the shape the anthropic-version header implies', async () => {
    const provider = await start();
    const openai = await fetch(`${provider.url}/v1/chat/completions`);
    const anthropic = await fetch(`${provider.url}/v1/messages`, { headers: { 'anthropic-version': '2023-06-01' } });

    expect(openai.status).toBe(404);
    expect(await openai.json()).toEqual({
      error: { message: 'Invalid URL (GET /v1/chat/completions)', type: 'invalid_request_error', param: null, code: null },
    });
    expect(anthropic.status).toBe(404);
    expect(anthropic.headers.get('request-id')).toMatch(/^req_011C/);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: 'Not Found' } });
  });

  it('survives a client that stops reading mid-stream, and serves the next request', async () => {
    const provider = await start({ chunkDelayMs: 20 });
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    let seen = 0;
    for await (const _ of await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true })) {
      if (++seen === 3) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], max_tokens: 1 });

    expect(next.choices[0]?.message.content).toBe('This');
    expect(provider.requests.map((request) => request.status)).toEqual([200, 200]);
  });

  it('close() drops held connections and may be called twice', async () => {
    const provider = await startFakeProvider({ holdOpenMs: 60_000 });
    const response = await fetch(`${provider.url}/v1/chat/completions`, {
      method: 'POST',
      body: chatBody({ model: 'gpt-4o-mini+cut-after-usage', stream: true }),
    });
    const reading = response.text().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Held for a minute: a close() that waited for the hold would outlast the test.
    await Promise.all([provider.close(), provider.close()]);
    expect(await reading).toMatchObject({ message: 'terminated' });
  });
});

describe('compress', () => {
  it('gzips JSON when the client accepts gzip, and only then', async () => {
    const provider = await start({ compress: true });
    const zipped = await post(`${provider.url}/v1/chat/completions`, chatBody(), { 'accept-encoding': 'br;q=1, gzip;q=0.8' });
    const refused = await post(`${provider.url}/v1/chat/completions`, chatBody(), { 'accept-encoding': 'gzip;q=0, identity' });
    const plain = await post(`${provider.url}/v1/chat/completions`, chatBody());

    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.body).toString()).choices[0].message.content).toBe(expectedReply('openai.chat', {}));
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString()).object).toBe('chat.completion');
  });

  it('flushes each gzipped stream event, so events arrive one by one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const provider = await start({ compress: true, chunkDelayMs: 30 });
      const body = chatBody({ max_tokens: 3, stream: true, stream_options: { include_usage: true } });
      const counts = await stepThrough(openStream(`${provider.url}/v1/chat/completions`, body, { 'accept-encoding': 'gzip' }), 30);
      // Each event decodes before the next pause ends: none waits in the compressor.
      expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('streams gzipped to an official client, usage last', async () => {
    const provider = await start({ compress: true });
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [], max_tokens: 3, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(3);
  });

  it('cuts a gzipped stream mid-way like a plain one', async () => {
    const provider = await start({ compress: true });
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    const deltas: string[] = [];
    const failure = (async () => {
      for await (const chunk of await openai.chat.completions.create({ model: 'gpt-4o-mini+cut', messages: [], stream: true })) {
        deltas.push(chunk.choices[0]?.delta.content ?? '');
      }
    })();

    await expect(failure).rejects.toThrow('terminated');
    expect(deltas.filter(Boolean)).toHaveLength(12);
  });
});
