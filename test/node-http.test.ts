import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createTcpServer, connect, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider, type ProviderApi } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';
import { select, sum } from './helpers/prometheus.js';
import { repoRoot, runApp } from './helpers/run-app.js';

let provider: FakeProvider;
let gzipProvider: FakeProvider;
/** A TCP relay in front of the fake provider: counts every connection a client opens. */
let relay: Server;
let relayUrl: string;
let connections = 0;

beforeAll(async () => {
  [provider, gzipProvider] = await Promise.all([startFakeProvider({ chunkDelayMs: 2 }), startFakeProvider({ compress: true })]);
  const port = Number(new URL(provider.url).port);
  relay = createTcpServer((client) => {
    connections += 1;
    const upstream = connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
});

afterAll(async () => {
  relay.close();
  await Promise.all([provider.close(), gzipProvider.close()]);
});

beforeEach(() => {
  provider.reset();
  gzipProvider.reset();
  connections = 0;
});

const env = (extra: Record<string, string> = {}) => ({
  FAKE_PROVIDER_URL: relayUrl,
  FAKE_GZIP_URL: gzipProvider.url,
  COSTCTL_ENDPOINTS: [relayUrl, gzipProvider.url].flatMap((url) => [`openai=${url}/openai`, `anthropic=${url}/anthropic`]).join(','),
  ...extra,
});

/** What one call of the test apps costs, from the fake provider's usage and the price data. */
function costOf(api: ProviderApi, body: Record<string, unknown>): number {
  const usage = expectedUsage(api, body) as unknown as Record<string, number>;
  const [input, output] = api === 'openai.chat' ? [usage.prompt_tokens!, usage.completion_tokens!] : [usage.input_tokens!, usage.output_tokens!];
  const provider = api.startsWith('openai') ? 'openai' : 'anthropic';
  return calcPrice({ input_tokens: input, output_tokens: output }, responseModel(api, String(body.model)), { providerId: provider })!.total_price;
}

/** Every ledger line the app wrote. */
function ledger(stateDir: string): Record<string, unknown>[] {
  return readdirSync(stateDir)
    .filter((name) => name.startsWith('ledger-'))
    .flatMap((name) => readFileSync(join(stateDir, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `costctl …` as an operator runs it, on the app's state directory. */
function costctl(args: string[], stateDir: string): void {
  const result = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: stateDir },
  });
  expect(result.status, result.stderr).toBe(0);
}

const CLIENTS = [
  'axios json',
  'axios stream',
  'axios gzip json',
  'node-fetch json',
  'node-fetch gzip stream',
  'got json',
  'got stream',
  'http.request pipe',
  'http.request iteration stream',
  'openai sdk json',
  'openai sdk stream',
  'anthropic sdk json',
];

describe('node:http clients under costctl', () => {
  it('prices every call of axios, node-fetch, got, http.request and the SDKs on node-fetch exactly, JSON, streams and gzip', async () => {
    const run = await runApp('test/apps/node-http-clients.mjs', { env: env() });
    const calls = run.lines as { client: string; ok: boolean; api: ProviderApi; body: Record<string, unknown>; id: string; encoding?: string | null }[];
    expect(calls.filter((call) => !call.ok)).toEqual([]);
    expect(calls.map((call) => call.client)).toEqual(CLIENTS);
    expect(calls.find((call) => call.client === 'node-fetch gzip stream')?.encoding).toBe('gzip');
    expect(gzipProvider.requests).toHaveLength(2);

    const entries = ledger(run.stateDir);
    let total = 0;
    for (const call of calls) {
      const entry = entries.find((line) => line.response_id === call.id);
      const expected = costOf(call.api, call.body);
      total += expected;
      expect(entry, call.client).toMatchObject({ outcome: 'ok', cost_source: 'price_table', model: call.body.model });
      expect(entry!.cost_usd as number, call.client).toBeCloseTo(expected, 15);
    }
    expect(entries).toHaveLength(CLIENTS.length);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(CLIENTS.length);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(total, 15);
  });

  it('prices calls from a CommonJS app on require("http") and axios', async () => {
    const run = await runApp('test/apps/node-http-commonjs.cjs', { env: env() });
    const [result] = run.lines as { http: unknown; axios: unknown; body: Record<string, unknown> }[];
    expect(result!.http).toEqual(expectedUsage('openai.chat', result!.body));
    expect(result!.axios).toEqual(result!.http);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBeCloseTo(2 * costOf('openai.chat', result!.body), 15);
  });
});

describe('node:http calls blocked before they leave', () => {
  it('answers every client at once with its normal 402 error when an operator tripped the gate with the CLI', async () => {
    const first = await runApp('test/apps/node-http-clients.mjs', { env: env({ ONLY: 'axios json' }) });
    costctl(['gate', 'trip', '--reason', 'runaway agent'], first.stateDir);
    provider.reset();
    connections = 0;

    const run = await runApp('test/apps/node-http-clients.mjs', { env: env({ COSTCTL_STATE_DIR: first.stateDir }) });
    const byClient = Object.fromEntries(run.lines.map((line) => [line.client, line]));
    expect(Object.keys(byClient)).toEqual(CLIENTS);
    for (const client of CLIENTS) {
      expect(byClient[client], client).toMatchObject({ ok: false, status: 402 });
    }
    expect(byClient['axios json']).toMatchObject({ class: 'AxiosError', blocked: 'gate' });
    expect(byClient['got json']).toMatchObject({ class: 'HTTPError', blocked: 'gate' });
    expect(byClient['node-fetch json']).toMatchObject({ blocked: 'gate' });
    expect(byClient['http.request pipe']).toMatchObject({ blocked: 'gate' });
    expect(byClient['openai sdk json']).toMatchObject({
      class: 'APIError',
      message: expect.stringMatching(/emergency gate was tripped by .* \(runaway agent\)/),
    });
    expect(byClient['anthropic sdk json']).toMatchObject({ class: 'PaymentRequiredError' });
    expect([connections, provider.requests.length, gzipProvider.requests.length]).toEqual([0, 0, 0]);
    // One blocked call per client: a retry would have been blocked, and counted, again.
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })).toBe(CLIENTS.length);
  });

  it('fails each call with CostctlBlockedError in throw mode, the gate tripped through the API', async () => {
    const only = ['axios json', 'node-fetch json', 'got stream', 'http.request pipe'];
    const run = await runApp('test/apps/node-http-clients.mjs', { env: env({ TRIP_GATE: 'api', COSTCTL_BLOCK_MODE: 'throw', ONLY: only.join(',') }) });
    expect(run.lines.map((line) => [line.client, line.code])).toEqual(only.map((client) => [client, 'COSTCTL_GATE_TRIPPED']));
    expect(run.lines.map((line) => line.message)).toEqual(
      only.map(() => expect.stringMatching(/emergency gate was tripped by node-http-clients at .* \(tripped by the app\)/)),
    );
    expect(connections).toBe(0);
    expect(provider.requests).toHaveLength(0);
  });

  it('blocks the call a daily budget cannot hold, whatever client makes it', async () => {
    const limit = 2.5 * costOf('openai.chat', { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Say hello.' }] });
    const run = await runApp('test/apps/node-http-clients.mjs', {
      env: env({ ONLY: 'axios json,got json,http.request pipe,openai sdk json', COSTCTL_DAILY_LIMIT_USD: String(limit) }),
    });
    expect(run.lines.map((line) => [line.client, line.ok, line.status])).toEqual([
      ['axios json', true, 200],
      ['got json', true, 200],
      ['http.request pipe', false, 402],
      ['openai sdk json', false, 402],
    ]);
    expect(run.lines[2]).toMatchObject({ blocked: 'daily_usd' });
    expect(provider.requests).toHaveLength(2);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBeLessThanOrEqual(limit);
  });
});

describe('node:http transparency', () => {
  let paced: FakeProvider;
  // Spaced stream events, so that what an app reads before it aborts does not depend on how TCP cut the bytes.
  beforeAll(async () => void (paced = await startFakeProvider({ chunkDelayMs: 15 })));
  afterAll(() => paced.close());

  it('the app receives the same status, headers, bytes and errors with and without costctl', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const flood = await freePort();
    const transparencyEnv = {
      FAKE_PROVIDER_URL: paced.url,
      REFUSED_URL: refused,
      FLOOD_PORT: String(flood),
      COSTCTL_ENDPOINTS: `openai=${paced.url}/openai,openai=${refused}/openai,openai=http://127.0.0.1:${flood}/v1`,
    };

    const without = await runApp('test/apps/node-http-transparency.mjs', { register: false, env: transparencyEnv });
    const withCostctl = await runApp('test/apps/node-http-transparency.mjs', {
      env: transparencyEnv,
      settled: (samples) => sum(samples, 'costctl_requests_total') >= 12,
    });

    expect(without.lines).toHaveLength(1);
    expect(withCostctl.lines).toEqual(without.lines);
    const record = without.lines[0] as Record<string, Record<string, unknown>>;
    // The scenarios did what they are meant to: a cut, an abort, a refusal, a 429.
    expect(record.rawCut!.events).toContain('response error ECONNRESET aborted');
    expect(record.axiosAbort!.error).toMatchObject({ name: 'CanceledError' });
    expect(record.axiosRefused!.rejected).toMatchObject({ code: 'ECONNREFUSED' });
    expect(record.axios429!.rejected).toMatchObject({ status: 429 });
    expect(String(record.rawStream!.bytes).length).toBeGreaterThan(1000);
    expect(record.backpressure).toEqual({ heldBack: true, finished: true, readAll: true });

    expect(sum(withCostctl.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(6);
    expect(sum(withCostctl.samples, 'costctl_requests_total', { costctl_outcome: 'error' })).toBe(6);
    expect(select(withCostctl.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' }).length).toBeGreaterThan(0);
  });
});
