import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointMatcher } from '../call/endpoints.js';
import { CallObserver } from '../call/observer.js';
import type { CallResult } from '../model/call-result.js';
import { PriceTable } from '../pricing/price-table.js';
import { subscribeUndiciChannels } from './undici-channels.js';

const completion = JSON.stringify({
  id: 'chatcmpl-3',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [],
  usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 },
});
const responseChannels = ['undici:request:headers', 'undici:request:bodyChunkReceived', 'undici:request:trailers', 'undici:request:error'];

let server: Server;
let base: string;
let agent: Agent;
const results: CallResult[] = [];
let stop: () => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = new Agent();
  const observer = new CallObserver(new EndpointMatcher([{ provider: 'openai', baseUrl: `${base}/v1` }]), [], {
    table: new PriceTable(),
    sink: { record: (result) => void results.push(result) },
  });
  stop = subscribeUndiciChannels(observer);
});

afterAll(async () => {
  stop();
  await agent.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = async (path: string) => {
  const { body } = await undiciRequest(`${base}${path}`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }), dispatcher: agent });
  return body.text();
};
const responsesWatched = () => responseChannels.map((name) => diagnosticsChannel.channel(name).hasSubscribers);

describe("undici's diagnostics channels", () => {
  it('leave undici building no response messages until a request is observed through them, then observe its response', async () => {
    expect(await post('/other')).toBe(completion);
    expect(responsesWatched()).toEqual([false, false, false, false]);

    expect(await post('/v1/chat/completions')).toBe(completion);
    expect(responsesWatched()).toEqual([true, true, true, true]);
    for (let i = 0; i < 100 && results.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(results).toMatchObject([{ requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', outcome: 'ok', usage: { input: 8, output: 2 } }]);
  });

  it('are all left when the observer stops', () => {
    stop();
    expect(responsesWatched()).toEqual([false, false, false, false]);
    expect(diagnosticsChannel.channel('undici:request:create').hasSubscribers).toBe(false);
  });
});
