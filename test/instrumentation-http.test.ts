// costctl beside OpenTelemetry's own node:http instrumentation: the app's
// HTTP client spans are still made, costctl's span processor enriches them,
// and calls are still priced and gated.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costctl } from './helpers/looper.js';
import { select } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(() => provider.reset());

const body = { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Say hello.' }] };

// Either may be loaded first: costctl's register before the app's OTel setup, or after it.
const orders = {
  'costctl first': { register: true, nodeArgs: ['--import', './test/apps/otel-http-setup.mjs'] },
  'OpenTelemetry first': { register: false, scrape: true, nodeArgs: ['--import', './test/apps/otel-http-setup.mjs', '--import', '@costctl/otel/register'] },
};

describe.each(Object.entries(orders))('with @opentelemetry/instrumentation-http, %s', (_, loading) => {
  it("the app gets its HTTP client span, enriched with the call's model, tokens and cost, and costctl prices the call", async () => {
    const env = {
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-otel-http-')),
    };
    const run = await runApp('test/apps/http-instrumented.mjs', { env, ...loading });
    const [result] = run.lines as {
      status: number;
      usage: Record<string, number>;
      spans: { method: string; status: number; costctl: Record<string, unknown> }[];
    }[];
    expect(result!.status).toBe(200);
    const usage = expectedUsage('openai.chat', body);
    const model = responseModel('openai.chat', body.model);
    const cost = calcPrice({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }, model, { providerId: 'openai' })!.total_price;
    // The instrumentation's own span, with what costctl's span processor added to it.
    expect(result!.spans).toEqual([
      {
        method: 'POST',
        status: 200,
        costctl: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': model,
          'gen_ai.usage.input_tokens': usage.prompt_tokens,
          'gen_ai.usage.output_tokens': usage.completion_tokens,
          'costctl.cost.usd': expect.closeTo(cost, 15),
          'costctl.cost.source': 'price_table',
        },
      },
    ]);
    expect(select(run.samples, 'costctl_tokens_total', { gen_ai_token_type: 'output' })[0]?.value).toBe(usage.completion_tokens);
    expect(select(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })[0]?.value).toBe(1);
  });

  it('a tripped gate still blocks the call before it leaves', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-otel-http-'));
    expect(costctl(['gate', 'trip', '--reason', 'otel http check'], { COSTCTL_STATE_DIR: stateDir }).status).toBe(0);
    const env = { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`, COSTCTL_STATE_DIR: stateDir };
    const run = await runApp('test/apps/http-instrumented.mjs', { env, ...loading });
    const [result] = run.lines as { status: number; blocked: string }[];
    expect(result).toMatchObject({ status: 402, blocked: 'gate' });
    // The span of the blocked call says so, and why.
    expect(result).toMatchObject({
      spans: [
        {
          method: 'POST',
          status: 402,
          costctl: { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'costctl.outcome': 'blocked', 'costctl.rule': 'gate' },
        },
      ],
    });
    expect(provider.requests).toHaveLength(0);
    expect(select(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })[0]?.value).toBe(1);
  });
});
