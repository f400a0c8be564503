import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
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

const chatBody = (extra: object = {}): string =>
  JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Secret question' }], ...extra });

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
    const provider = await start({ latencyMs: 150 });
    const started = performance.now();
    await post(`${provider.url}/v1/chat/completions`, chatBody());
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('paces stream events by chunkDelayMs', async () => {
    const provider = await start({ chunkDelayMs: 10 });
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    const arrivals: number[] = [];
    for await (const _ of await openai.chat.completions.create({ model: 'm', messages: [], max_tokens: 4, stream: true })) {
      arrivals.push(performance.now());
    }
    // role, 4 deltas, finish: 5 pauses.
    expect(arrivals).toHaveLength(6);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(45);
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
    expect(await openai.json()).toEqual({ error: { message: 'Invalid URL (GET /v1/chat/completions)', type: 'invalid_request_error', param: null, code: null } });
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
    const response = await fetch(`${provider.url}/v1/chat/completions`, { method: 'POST', body: chatBody({ model: 'gpt-4o-mini+cut-after-usage', stream: true }) });
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
    const provider = await start({ compress: true, chunkDelayMs: 30 });
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [], max_tokens: 3, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const arrivals: number[] = [];
    const chunks = [];
    for await (const chunk of stream) {
      arrivals.push(performance.now());
      chunks.push(chunk);
    }

    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(3);
    // First chunk long before the last: nothing was buffered until the end.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(100);
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
