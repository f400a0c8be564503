import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PriceTable } from '../pricing/price-table.js';
import { activeCall, type CallSource } from './active-call.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from './endpoints.js';
import { installFetch } from '../transports/fetch.js';
import { installNodeHttp } from '../transports/node-http.js';
import { CallObserver } from './observer.js';
import { subscribeUndiciChannels } from '../transports/undici-channels.js';

const completion = JSON.stringify({
  id: 'c',
  object: 'chat.completion',
  model: 'gpt-4o-mini',
  choices: [],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 5, messages: [] });

let server: http.Server;
let base: string;
const results: CallResult[] = [];
let stops: (() => void)[] = [];

beforeAll(async () => {
  server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(completion));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const observer = new CallObserver(new EndpointMatcher([{ provider: 'openai', baseUrl: `${base}/v1` }]), [], {
    table: new PriceTable(),
    sink: { record: (result) => void results.push(result) },
  });
  stops = [installFetch(observer, 'respond'), installNodeHttp(observer, 'respond'), subscribeUndiciChannels(observer)];
});

afterAll(async () => {
  for (const stop of stops) stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  results.length = 0;
  activeCall.call = undefined;
});

async function recorded(count: number): Promise<CallResult[]> {
  for (let i = 0; i < 200 && results.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return results;
}

/** A billable node:http call, answered. */
function httpCall(): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume().on('end', resolve);
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('the active call, across a call made while another is being handed to its transport', () => {
  it('is the outer call again once a nested node:http call returns, so the outer call is counted once', async () => {
    let nested: Promise<void> | undefined;
    const agent = new Agent();
    // An app dispatcher that makes a call of its own before dispatching (an audit log, a mirror).
    const auditing = agent.compose((dispatch) => (options, handler) => {
      nested = httpCall();
      return dispatch(options, handler);
    });
    const response = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body, dispatcher: auditing } as RequestInit & { dispatcher: Dispatcher });
    await response.text();
    await nested;
    // Had the nested call cleared the slot, undici's channels would have counted the outer request a second time.
    expect((await recorded(2)).map((result) => result.outcome)).toEqual(['ok', 'ok']);
    await agent.close();
  });

  it('is restored, not cleared, by node:http and fetch once they have handed over their own call', async () => {
    const outer: CallSource = { observed: undefined };
    activeCall.call = outer;
    const answered = httpCall();
    const afterHttp = activeCall.call;
    await answered;
    await (await fetch(`${base}/v1/chat/completions`, { method: 'POST', body })).text();
    expect([afterHttp, activeCall.call]).toEqual([outer, outer]);
  });
});
