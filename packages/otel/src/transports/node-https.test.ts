import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admission, Budgets } from '../budget/budgets.js';
import { PriceTable } from '../pricing/price-table.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from '../call/endpoints.js';
import { installNodeHttp } from './node-http.js';
import { CallObserver } from '../call/observer.js';

// A self-signed certificate for 127.0.0.1, for these tests only.
const tls = {
  key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
  cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url)),
};
const completion = JSON.stringify({ id: 'msg_1', type: 'message', model: 'claude-haiku-4-5', content: [], usage: { input_tokens: 12, output_tokens: 3 } });

let server: https.Server;
let port: number;
let connections = 0;
const results: CallResult[] = [];
let decide: () => Admission = () => ({ blocked: undefined, reservation: undefined });
let uninstall: () => void;

beforeAll(async () => {
  server = https.createServer(tls, (req, res) => {
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(completion));
  });
  server.on('secureConnection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const matcher = new EndpointMatcher([{ provider: 'anthropic', baseUrl: `https://127.0.0.1:${port}` }]);
  const budgets = { admit: () => decide() } as unknown as Budgets;
  uninstall = installNodeHttp(
    new CallObserver(matcher, [], { table: new PriceTable(), sink: { record: (result) => void results.push(result) } }, budgets),
    'respond',
  );
});

afterAll(async () => {
  uninstall();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function post(options: https.RequestOptions): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { hostname: '127.0.0.1', port, path: '/v1/messages', method: 'POST', ca: tls.cert, ...options },
      (response: IncomingMessage) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [] }));
  });
}

describe('node:https', () => {
  it('prices a call through https.request, with the global agent, agent:false or its own agent', async () => {
    const agent = new https.Agent({ ca: tls.cert, keepAlive: true });
    for (const options of [{}, { agent: false as const }, { agent }]) expect((await post(options)).body).toBe(completion);
    expect(results.map((result) => [result.provider, result.outcome, result.usage.input, result.usage.output])).toEqual([
      ['anthropic', 'ok', 12, 3],
      ['anthropic', 'ok', 12, 3],
      ['anthropic', 'ok', 12, 3],
    ]);
    agent.destroy();
  });

  it('answers a blocked call in the provider’s shape without a TLS handshake', async () => {
    connections = 0;
    decide = () => ({ blocked: { code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'anthropic_daily', spent: 1, limit: 1 } });
    const { status, body } = await post({ agent: false });
    expect(status).toBe(402);
    expect(JSON.parse(body)).toMatchObject({ type: 'error', error: { type: 'costctl_budget_exceeded' } });
    expect(connections).toBe(0);
  });
});
