import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
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
    const expected = calcPrice(
      { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
      responseModel('openai.chat', body.model),
      { providerId: 'openai' },
    )!.total_price;

    const [record] = run.lines as { spans: { name: string; attributes: Record<string, unknown> }[]; cost: { value: number; attributes: Record<string, unknown> }[] }[];
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
});
