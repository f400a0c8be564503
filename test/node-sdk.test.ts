import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider();
});

afterAll(async () => {
  await provider.close();
});

describe('an app with its own NodeSDK', () => {
  it('gets the cost on the undici HTTP client span and in its own metric reader', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How much did that cost?' }] };
    const run = await runApp('test/apps/node-sdk.mjs', {
      register: false,
      env: { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`, BODY: JSON.stringify(body) },
    });
    const usage = expectedUsage('openai.chat', body);
    const expected = calcPrice({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }, responseModel('openai.chat', body.model), {
      providerId: 'openai',
    })!.total_price;

    const [record] = run.lines as {
      spans: { name: string; attributes: Record<string, unknown> }[];
      cost: { value: number; attributes: Record<string, unknown> }[];
    }[];
    expect(record!.spans).toHaveLength(1);
    expect(record!.spans[0]!.name).toBe('POST');
    expect(record!.spans[0]!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': responseModel('openai.chat', body.model),
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'costctl.cost.source': 'price_table',
    });
    expect(record!.spans[0]!.attributes['costctl.cost.usd']).toBeCloseTo(expected, 15);
    expect(record!.cost).toHaveLength(1);
    expect(record!.cost[0]!.value).toBeCloseTo(expected, 15);
    expect(record!.cost[0]!.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'costctl.cost.source': 'price_table' });
  });

  it.each([
    ['respond', { 'http.response.status_code': 402, 'error.type': '402' }, { name: 'APIError', status: 402 }],
    ['throw', { 'error.type': 'CostctlBlockedError' }, { name: 'APIConnectionError' }],
  ])("gives a call it blocks (%s mode), which never reaches undici, its HTTP client span, in the app's trace", async (mode, outcome, error) => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How much did that cost?' }] };
    const run = await runApp('test/apps/node-sdk.mjs', {
      register: false,
      env: {
        FAKE_PROVIDER_URL: provider.url,
        COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
        COSTCTL_BLOCK_MODE: mode,
        COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-node-sdk-')),
        TRIP_GATE: '1',
        BODY: JSON.stringify(body),
      },
    });
    const [record] = run.lines as {
      error: object;
      appSpan: string;
      spans: { name: string; attributes: Record<string, unknown>; status: { code: number }; parent: string | null }[];
    }[];
    expect(record!.error).toMatchObject(error);
    expect(record!.spans).toHaveLength(1);
    const [span] = record!.spans;
    expect(span).toMatchObject({ name: 'POST', status: { code: 2 }, parent: record!.appSpan });
    const url = new URL(`${provider.url}/openai/v1/chat/completions`);
    expect(span!.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': url.href,
      'server.address': url.hostname,
      'server.port': Number(url.port),
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'costctl.outcome': 'blocked',
      'costctl.rule': 'gate',
      ...outcome,
    });
  });

  it.each(['mjs', 'cjs'])(
    'keeps its own context manager under --import register with COSTCTL_LABELS, and baggage labels still reach the metrics (%s)',
    async (kind) => {
      const run = await runApp(`test/apps/node-sdk-labels.${kind}`, {
        // The bundled price data's age depends on the day the test runs: its warning is tested in test/prices-running-app.test.ts.
        env: {
          FAKE_PROVIDER_URL: provider.url,
          COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
          COSTCTL_LABELS: 'tenant',
          OTEL_LOGS_EXPORTER: 'none',
          COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0',
        },
      });
      // No "Attempted duplicate registration of API: context": the app's manager is the one in effect.
      expect(run.lines).toEqual([{ complaints: [], appManagerEntered: 2 }]);
      const requests = run.samples.filter((sample) => sample.name === 'costctl_requests_total');
      expect(requests.map((sample) => [sample.labels.tenant, sample.value]).sort()).toEqual([
        ['acme', 1],
        ['globex', 1],
      ]);
      expect(run.stderr).toBe('');
    },
  );
});
