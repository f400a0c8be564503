import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Admission, Budgets } from '../budget/budgets.js';
import type { BlockMode } from '../config/schema.js';
import { CostctlBlockedError, type BlockReason } from '../model/errors.js';
import { PriceTable } from '../pricing/price-table.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from '../call/endpoints.js';
import { installNodeHttp2 } from './node-http2.js';
import { CallObserver } from '../call/observer.js';

const usage = { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 };
const completion = JSON.stringify({ id: 'chatcmpl-h2', object: 'chat.completion', model: 'gpt-4o-mini-2024-07-18', choices: [], usage });
/** Priced from the price data for gpt-4o-mini: $0.15 / $0.60 per million tokens. */
const costOfUsage = (30 * 0.15 + 5 * 0.6) / 1e6;
const gate: BlockReason = { code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', spent: 0, limit: 0, reason: 'test' };

let server: http2.Http2Server;
let base: string;
const bodies: string[] = [];
const results: CallResult[] = [];
let decide: () => Admission | Promise<Admission> = () => ({ blocked: undefined, reservation: undefined });
let observer: CallObserver;
let uninstall: () => void = () => {};
const sessions: ClientHttp2Session[] = [];

const install = (mode: BlockMode) => {
  uninstall();
  uninstall = installNodeHttp2(observer, mode);
};

beforeAll(async () => {
  server = http2.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const budgets = { admit: () => decide() } as unknown as Budgets;
  observer = new CallObserver(
    new EndpointMatcher([{ provider: 'openai', baseUrl: `${base}/v1` }]),
    [],
    { table: new PriceTable(), sink: { record: (r: CallResult) => void results.push(r) } },
    budgets,
  );
  install('respond');
});

afterAll(async () => {
  uninstall();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  for (const session of sessions.splice(0)) session.close();
  results.length = 0;
  bodies.length = 0;
  decide = () => ({ blocked: undefined, reservation: undefined });
  install('respond');
});

/** Sends a chat call over HTTP/2, the way the AWS SDK's handler does, and reads the answer with 'data' events. */
function post(path: string): Promise<{ headers: IncomingHttpHeaders; text: string; stream: ClientHttp2Stream } | { error: Error }> {
  const session = http2.connect(base);
  sessions.push(session);
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
  return new Promise((resolve) => {
    let headers: IncomingHttpHeaders = {};
    let text = '';
    stream.on('response', (h) => (headers = h));
    stream.on('data', (chunk: Buffer) => (text += chunk));
    stream.on('end', () => resolve({ headers, text, stream }));
    stream.on('error', (error) => resolve({ error }));
    stream.end(JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }));
  });
}

async function recorded(count: number): Promise<CallResult[]> {
  for (let i = 0; i < 100 && results.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return results;
}

describe('installNodeHttp2', () => {
  it('prices a call, sending the body the app wrote, unchanged', async () => {
    const answer = await post('/v1/chat/completions');
    expect(answer).toMatchObject({ headers: { ':status': 200 }, text: completion });
    expect(bodies).toEqual([JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })]);
    const [result] = await recorded(1);
    expect(result).toMatchObject({ provider: 'openai', outcome: 'ok', requestModel: 'gpt-4o-mini', responseId: 'chatcmpl-h2' });
    expect(result!.cost?.usd).toBeCloseTo(costOfUsage, 15);
  });

  it('admits from the body: the request facts carry its model and max_tokens', async () => {
    const seen: unknown[] = [];
    const budgets = { admit: (call: { request: unknown }) => (seen.push(call.request), { blocked: undefined, reservation: undefined }) } as unknown as Budgets;
    const own = new CallObserver(
      new EndpointMatcher([{ provider: 'openai', baseUrl: `${base}/v1` }]),
      [],
      { table: new PriceTable(), sink: { record: () => {} } },
      budgets,
    );
    uninstall();
    uninstall = installNodeHttp2(own, 'respond');
    await post('/v1/chat/completions');
    expect(seen).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', maxOutputTokens: 16 })]);
  });

  it('answers a blocked call with a 402 of its own, opening no stream (respond)', async () => {
    decide = () => ({ blocked: gate });
    const answer = await post('/v1/chat/completions');
    expect(answer).toMatchObject({ headers: { ':status': 402, 'x-costctl-blocked': 'gate', 'x-should-retry': 'false' } });
    expect(JSON.parse((answer as { text: string }).text)).toMatchObject({ error: { type: 'costctl_gate_tripped' } });
    expect(bodies).toEqual([]);
    expect((await recorded(1))[0]).toMatchObject({ outcome: 'blocked' });
  });

  it('fails a blocked call with CostctlBlockedError, opening no stream (throw), also when the admission is a promise', async () => {
    install('throw');
    decide = () => Promise.resolve({ blocked: gate });
    const answer = await post('/v1/chat/completions');
    expect((answer as { error: Error }).error).toBeInstanceOf(CostctlBlockedError);
    expect(bodies).toEqual([]);
  });

  it('leaves requests to other paths alone, and gives the app real streams for them', async () => {
    decide = () => ({ blocked: gate });
    const answer = await post('/v1/models');
    expect(answer).toMatchObject({ headers: { ':status': 200 } });
    expect((answer as { stream: ClientHttp2Stream }).stream.constructor.name).toBe('ClientHttp2Stream');
    expect(bodies).toHaveLength(1);
    expect(results).toEqual([]);
  });

  it('puts http2.connect back on uninstall', () => {
    const patched = http2.connect;
    uninstall();
    expect(http2.connect).not.toBe(patched);
    uninstall = installNodeHttp2(observer, 'respond');
  });
});
