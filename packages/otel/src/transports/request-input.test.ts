import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Budgets, PendingCall } from '../budget/budgets.js';
import { PriceTable } from '../pricing/price-table.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from '../call/endpoints.js';
import { installFetch } from './fetch.js';
import { CallObserver } from '../call/observer.js';
import { copyRequestBody, hasStreamBody } from './request-input.js';
import { subscribeUndiciChannels } from './undici-channels.js';

// `fetch(new Request(…))`, as @smithy/fetch-http-handler (the AWS SDKs' fetch handler) calls it.
const completion = JSON.stringify({
  id: 'chatcmpl-9',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
});

let server: Server;
let base: string;
const received: string[] = [];
const results: CallResult[] = [];
const admitted: PendingCall[] = [];
let blockNext = false;
let stops: (() => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A budget that records what it was asked to admit, and blocks when told to.
  const budgets = {
    admit(call: PendingCall) {
      admitted.push(call);
      if (!blockNext) return { blocked: undefined, reservation: undefined };
      return { blocked: { code: 'COSTCTL_BUDGET_EXCEEDED' as const, rule: 'daily_usd', spent: 1, limit: 1 } };
    },
  } as unknown as Budgets;
  const observer = new CallObserver(
    new EndpointMatcher([{ provider: 'openai', baseUrl: `${base}/v1` }]),
    [],
    { table: new PriceTable(), sink: { record: (result) => void results.push(result) } },
    budgets,
  );
  stops = [installFetch(observer, 'respond'), subscribeUndiciChannels(observer)];
});

afterAll(async () => {
  for (const stop of stops) stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  received.length = 0;
  results.length = 0;
  admitted.length = 0;
  blockNext = false;
});

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 77, messages: [{ role: 'user', content: 'What is left in the budget today?' }] });
const chatRequest = (init: RequestInit = {}) =>
  new Request(`${base}/v1/chat/completions`, { method: 'POST', body: chatBody, headers: { 'content-type': 'application/json' }, ...init });

/** Waits for the call to be recorded: the response body ends after fetch resolves. */
async function recorded(count: number): Promise<void> {
  for (let waited = 0; results.length < count && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('fetch(new Request(…))', () => {
  it('reads the request body from a copy for the budgets, and sends the body itself untouched', async () => {
    const response = await fetch(chatRequest());
    expect(await response.text()).toBe(completion);
    await recorded(1);
    expect(received).toEqual([chatBody]);
    expect(admitted.map((call) => [call.model, call.request.maxOutputTokens, call.request.inputTokenEstimate])).toEqual([['gpt-4o-mini', 77, 9]]);
    expect(results).toMatchObject([{ outcome: 'ok', requestModel: 'gpt-4o-mini', usage: { input: 12, output: 3 } }]);
    expect(results[0]!.cost?.source).toBe('price_table');
  });

  // Regression: on Node 22 a clone carries no dispatcher symbol, so costctl left it to channels that carry no body there.
  it('prices a cloned Request, as the Mistral client sends it, from its response body', async () => {
    const response = await fetch(chatRequest().clone());
    expect(await response.text()).toBe(completion);
    await recorded(1);
    expect(received).toEqual([chatBody]);
    expect(results).toMatchObject([{ outcome: 'ok', usage: { input: 12, output: 3 } }]);
    expect(results[0]!.cost?.source).toBe('price_table');
  });

  it('blocks a Request before it leaves, with the synthetic 402', async () => {
    blockNext = true;
    const response = await fetch(chatRequest());
    expect(response.status).toBe(402);
    expect(response.headers.get('x-costctl-blocked')).toBe('daily_usd');
    expect(received).toEqual([]);
    expect(results).toMatchObject([{ outcome: 'blocked' }]);
  });

  it('records a Request whose signal was aborted before it left as failed, never billed', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(fetch(chatRequest({ signal: controller.signal }))).rejects.toThrow();
    await recorded(1);
    expect(received).toEqual([]);
    expect(results).toMatchObject([{ outcome: 'error', billable: false }]);
  });

  it('leaves a Request to another path alone: no copy, no admission', async () => {
    const response = await fetch(new Request(`${base}/health`, { method: 'POST', body: '{}' }));
    expect(response.status).toBe(200);
    expect(admitted).toEqual([]);
    expect(received).toEqual(['{}']);
  });
});

describe('copyRequestBody', () => {
  it('copies the body and leaves the Request readable', async () => {
    const request = new Request('http://example.test/', { method: 'POST', body: 'héllo' });
    expect(new TextDecoder().decode(await copyRequestBody(request))).toBe('héllo');
    expect(await request.text()).toBe('héllo');
  });

  it('stops at 4 MiB, and answers nothing for a body already used', async () => {
    const large = new Request('http://example.test/', { method: 'POST', body: new Uint8Array(4 * 1024 * 1024 + 1) });
    expect(await copyRequestBody(large)).toBeUndefined();
    expect((await large.arrayBuffer()).byteLength).toBe(4 * 1024 * 1024 + 1);
    const used = new Request('http://example.test/', { method: 'POST', body: 'x' });
    await used.text();
    expect(await copyRequestBody(used)).toBeUndefined();
  });

  it('knows when fetch takes its body from the Request', () => {
    const request = new Request('http://example.test/', { method: 'POST', body: 'x' });
    expect(hasStreamBody(request, undefined)).toBe(true);
    expect(hasStreamBody(request, { body: 'y' })).toBe(false);
    expect(hasStreamBody(new Request('http://example.test/'), undefined)).toBe(false);
    expect(hasStreamBody('http://example.test/', undefined)).toBe(false);
  });
});
