import { calcPrice } from '@pydantic/genai-prices';
import { type Flavour, type ProviderApi, expectedReportedCost, expectedTokens, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { select, sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

/** One call of test/apps/compat-calls.mjs: which client, and the body on the wire. */
interface CompatCall {
  client: string;
  api?: 'chat' | 'embeddings' | 'fim';
  body: Record<string, unknown>;
  /** The same body as it goes over the wire, when the client renames fields (Mistral's camelCase). */
  wire?: Record<string, unknown>;
  stream?: boolean;
  deployment?: string;
  scenario?: string;
  /** The client's retry count (default 0): a blocked call must not be retried anyway. */
  retries?: number;
}

/** Each client's flavour, `gen_ai.provider.name` and provider id in the price data. */
const PROVIDERS: Readonly<Record<string, { flavour: Flavour; name: string; pricingId: string }>> = {
  openai: { flavour: 'openai', name: 'openai', pricingId: 'openai' },
  azure: { flavour: 'azure', name: 'azure.ai.openai', pricingId: 'azure' },
  'azure-v1': { flavour: 'azure', name: 'azure.ai.openai', pricingId: 'azure' },
  mistral: { flavour: 'mistral', name: 'mistral_ai', pricingId: 'mistral' },
  groq: { flavour: 'groq', name: 'groq', pricingId: 'groq' },
  deepseek: { flavour: 'deepseek', name: 'deepseek', pricingId: 'deepseek' },
  xai: { flavour: 'xai', name: 'x_ai', pricingId: 'x-ai' },
  openrouter: { flavour: 'openrouter', name: 'openrouter', pricingId: 'openrouter' },
  together: { flavour: 'together', name: 'together', pricingId: 'together' },
  fireworks: { flavour: 'fireworks', name: 'fireworks', pricingId: 'fireworks' },
};

let provider: FakeProvider;
beforeAll(async () => void (provider = await startFakeProvider()));
afterAll(() => provider.close());
beforeEach(() => provider.reset());

function endpoints(): string {
  const compatible = Object.values(PROVIDERS)
    .filter(({ flavour }) => flavour !== 'openai')
    .map(({ flavour, name }) => `${name}=${provider.url}/flavour/${flavour}`);
  return [...new Set([`openai=${provider.url}/openai`, ...compatible])].join(',');
}

function runCalls(calls: CompatCall[], env: Record<string, string> = {}) {
  return runApp('test/apps/compat-calls.mjs', {
    settled: (samples) => sum(samples, 'costctl_requests_total') === calls.length,
    env: { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: endpoints(), CALLS: JSON.stringify(calls), ...env },
  });
}

function apiOf(call: CompatCall): ProviderApi {
  return call.api === 'embeddings' ? 'openai.embeddings' : call.api === 'fim' ? 'mistral.fim' : 'openai.chat';
}

/** What a call must cost: the provider's reported figure, else the price data's price of the exact tokens. */
function expectedCost(call: CompatCall, alias?: string): number {
  const { flavour, pricingId } = PROVIDERS[call.client]!;
  const wire = call.wire ?? call.body;
  const reported = expectedReportedCost(flavour, apiOf(call), wire);
  if (reported !== undefined) return reported;
  const tokens = expectedTokens(flavour, apiOf(call), wire);
  const model = alias ?? responseModel(apiOf(call), String(wire.model), flavour);
  const price = calcPrice({ input_tokens: tokens.input, output_tokens: tokens.output, cache_read_tokens: tokens.cacheRead }, model, { providerId: pricingId });
  if (price === null) throw new Error(`the price data has no ${model} for ${pricingId}`);
  return price.total_price;
}

const question = [{ role: 'user', content: 'What stops a runaway agent from spending our whole budget overnight?' }];
const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: question, ...extra });
const streamed = (model: string) => chat(model, { stream: true, stream_options: { include_usage: true } });

describe('OpenAI-compatible providers under node --import @costctl/otel/register', () => {
  it('prices JSON and stream calls of every provider exactly, from the usage or the cost each reports', async () => {
    const calls: CompatCall[] = [
      { client: 'azure', deployment: 'chat-prod', body: chat('gpt-4o-mini', { prompt_cache_key: 'tenant-7' }) },
      { client: 'azure-v1', body: streamed('gpt-4o-mini') },
      { client: 'azure', api: 'embeddings', deployment: 'embed-small', body: { model: 'text-embedding-3-small', input: ['budget', 'gate'] } },
      { client: 'groq', body: chat('llama-3.3-70b-versatile') },
      { client: 'groq', body: chat('openai/gpt-oss-120b', { stream: true }) },
      { client: 'groq', body: streamed('llama-3.3-70b-versatile') },
      { client: 'deepseek', body: chat('deepseek-reasoner', { prompt_cache_key: 'tenant-7' }) },
      { client: 'deepseek', body: streamed('deepseek-chat') },
      { client: 'xai', body: chat('grok-3-mini', { prompt_cache_key: 'tenant-7' }) },
      { client: 'xai', body: streamed('grok-4-fast') },
      { client: 'openrouter', body: chat('openai/gpt-4o-mini') },
      { client: 'openrouter', body: streamed('meta-llama/llama-3.3-70b-instruct') },
      { client: 'together', body: chat('meta-llama/Llama-3.3-70B-Instruct-Turbo', { prompt_cache_key: 'tenant-7' }) },
      { client: 'together', body: chat('meta-llama/Llama-3.3-70B-Instruct-Turbo', { stream: true }) },
      { client: 'fireworks', body: chat('accounts/fireworks/models/llama-v3p1-8b-instruct') },
      { client: 'fireworks', body: chat('accounts/fireworks/models/gpt-oss-120b', { stream: true }) },
    ];
    const run = await runCalls(calls);

    expect(run.lines.map((line) => line.ok)).toEqual(calls.map(() => true));
    // Every call priced exactly: none estimated, none unpriced.
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' })).toBe(0);
    expect(sum(run.samples, 'costctl_unpriced_requests_total')).toBe(0);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(calls.length);

    for (const [client, { name, flavour }] of Object.entries(PROVIDERS)) {
      const mine = calls.filter((call) => call.client === client || (client === 'azure' && call.client === 'azure-v1'));
      if (mine.length === 0 || client === 'azure-v1') continue;
      const source = flavour === 'xai' || flavour === 'openrouter' ? 'provider' : 'price_table';
      const cost = mine.reduce((total, call) => total + expectedCost(call), 0);
      expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: name, costctl_cost_source: source }), name).toBeCloseTo(cost, 14);

      const tokens = mine.map((call) => expectedTokens(flavour, apiOf(call), call.wire ?? call.body));
      for (const [type, key] of [
        ['input', 'input'],
        ['output', 'output'],
        ['cache_read', 'cacheRead'],
        ['reasoning', 'reasoning'],
      ] as const) {
        const expected = tokens.reduce((total, counts) => total + counts[key], 0);
        expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_provider_name: name, gen_ai_token_type: type }), `${name} ${type}`).toBe(expected);
      }
    }

    // Azure: the deployment name is no model; the call is priced as the model the response reported.
    expect(
      select(run.samples, 'costctl_requests_total', { gen_ai_provider_name: 'azure.ai.openai', gen_ai_response_model: 'gpt-4o-mini-2024-07-18' }),
    ).toHaveLength(1);
    expect(run.metricsText).not.toMatch(/chat-prod|embed-small|azure-test-key|gsk_test_key|runaway agent/);
  });

  it('prices every Mistral call, made by its client as fetch(a cloned Request), exactly', async () => {
    const calls: CompatCall[] = [
      { client: 'mistral', body: chat('mistral-small-latest') },
      { client: 'mistral', stream: true, body: chat('mistral-small-latest') },
      { client: 'mistral', api: 'fim', body: { model: 'codestral-latest', prompt: 'def add(a, b):', suffix: 'print(add(1, 2))' } },
      {
        client: 'mistral',
        api: 'embeddings',
        body: { model: 'mistral-embed', inputs: ['budget', 'gate'] },
        wire: { model: 'mistral-embed', input: ['budget', 'gate'] },
      },
    ];
    const run = await runCalls(calls);

    expect(run.lines.map((line) => line.ok)).toEqual(calls.map(() => true));
    expect(sum(run.samples, 'costctl_requests_total', { gen_ai_provider_name: 'mistral_ai', costctl_outcome: 'ok' })).toBe(calls.length);
    const cost = calls.reduce((total, call) => total + expectedCost(call), 0);
    expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'mistral_ai', costctl_cost_source: 'price_table' })).toBeCloseTo(cost, 14);
    const tokens = calls.map((call) => expectedTokens('mistral', apiOf(call), call.wire ?? call.body));
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_provider_name: 'mistral_ai', gen_ai_token_type: 'output' })).toBe(
      tokens.reduce((total, t) => total + t.output, 0),
    );
    expect(sum(run.samples, 'costctl_unpriced_requests_total')).toBe(0);
  });

  it('prices an Azure model named by version, which the price data lacks, under its family', async () => {
    const call: CompatCall = { client: 'azure', deployment: 'chat-latest', body: chat('gpt-5-chat') };
    expect(calcPrice({ input_tokens: 1, output_tokens: 1 }, 'gpt-5-chat-2025-08-07', { providerId: 'azure' })).toBeNull();
    const run = await runCalls([call]);

    expect(select(run.samples, 'costctl_requests_total', { gen_ai_response_model: 'gpt-5-chat-2025-08-07' })).toHaveLength(1);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(expectedCost(call, 'gpt-5-chat'), 15);
  });

  it('prices OpenAI service tiers: flex at half, priority from OpenAI priority prices', async () => {
    const body = chat('gpt-4o-mini', { prompt_cache_key: 'tenant-7' });
    const calls: CompatCall[] = [
      { client: 'openai', body: { ...body, service_tier: 'flex' } },
      { client: 'openai', body: { ...body, service_tier: 'priority', stream: true, stream_options: { include_usage: true } } },
      { client: 'openai', body: { ...body, service_tier: 'auto' } },
    ];
    const run = await runCalls(calls);

    const tokens = expectedTokens('openai', 'openai.chat', body);
    const standard = expectedCost(calls[2]!);
    // https://openai.com/api-priority-processing/: GPT-4o mini at $0.25 input, $0.125 cached input, $1.00 output per 1M tokens.
    const priority = ((tokens.input - tokens.cacheRead) * 0.25 + tokens.cacheRead * 0.125 + tokens.output * 1) / 1e6;
    expect(run.lines.map((line) => line.ok)).toEqual([true, true, true]);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(standard / 2 + priority + standard, 15);
    expect(priority).toBeGreaterThan(standard);
  });

  it('prices a stream cut after its usage exactly, and estimates one cut before it', async () => {
    const run = await runCalls([
      { client: 'groq', body: chat('llama-3.3-70b-versatile', { stream: true }), scenario: 'cut-after-usage' },
      { client: 'xai', body: streamed('grok-4-fast'), scenario: 'cut' },
    ]);

    // groq-sdk reads past [DONE] to the connection's end, so it sees the cut; costctl had the whole answer.
    expect(run.lines.map((line) => line.ok)).toEqual([false, false]);
    expect(sum(run.samples, 'costctl_requests_total', { gen_ai_provider_name: 'groq', costctl_outcome: 'ok' })).toBe(1);
    expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'groq', costctl_cost_source: 'price_table' })).toBeCloseTo(
      expectedCost({ client: 'groq', body: chat('llama-3.3-70b-versatile') }),
      15,
    );
    // A cut xAI stream never reported its cost: it is estimated from the price data, never $0.
    expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'x_ai', costctl_cost_source: 'estimated' })).toBeGreaterThan(0);
    expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'x_ai', costctl_cost_source: 'provider' })).toBe(0);
  });
});

describe('a blocked call to a compatible provider', () => {
  const blockable: CompatCall[] = [
    { client: 'groq', body: chat('llama-3.3-70b-versatile'), retries: 2 },
    { client: 'deepseek', body: chat('deepseek-chat'), retries: 2 },
    { client: 'xai', body: chat('grok-3-mini'), retries: 2 },
    { client: 'azure', deployment: 'chat-prod', body: chat('gpt-4o-mini'), retries: 2 },
    { client: 'openrouter', body: streamed('openai/gpt-4o-mini'), retries: 2 },
  ];

  it('fails at once with the client own 402 error once the gate is tripped, and no request reaches the provider', async () => {
    // A limit below any call's worst case, with action trip: the first call trips the gate, and the gate blocks every call after.
    const run = await runCalls(blockable, { COSTCTL_DAILY_LIMIT_USD: '0.000000001', COSTCTL_ON_EXCEED: 'trip' });

    expect(provider.requests).toHaveLength(0);
    expect(run.lines.map((line) => (line.error as { name: string }).name)).toEqual(['APIError', 'APIError', 'APIError', 'APIError', 'APIError']);
    for (const line of run.lines) {
      expect(line.error).toMatchObject({ status: 402, blocked: 'gate' });
    }
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })).toBe(blockable.length);
    expect(select(run.samples, 'costctl_gate_tripped')[0]?.value).toBe(1);
  });

  it('blocks the Mistral client, which sends fetch(Request), before its request leaves', async () => {
    const run = await runCalls([{ client: 'mistral', body: chat('mistral-small-latest') }], {
      COSTCTL_DAILY_LIMIT_USD: '0.000000001',
      COSTCTL_ON_EXCEED: 'trip',
    });
    expect(provider.requests).toHaveLength(0);
    expect(run.lines[0]!.ok).toBe(false);
    expect(run.lines[0]!.error).toMatchObject({ name: 'SDKError', status: 402, blocked: 'gate' });
    expect(sum(run.samples, 'costctl_requests_total', { gen_ai_provider_name: 'mistral_ai', costctl_outcome: 'blocked' })).toBe(1);
  });

  it('is blocked by a budget rule after the calls within it, in the provider own error shape', async () => {
    const run = await runCalls([blockable[0]!, blockable[0]!, blockable[2]!], { COSTCTL_MAX_REQUESTS_PER_MINUTE: '1' });

    expect(run.lines.map((line) => line.ok)).toEqual([true, false, false]);
    expect(run.lines[1]!.error).toMatchObject({ name: 'APIError', status: 402, blocked: 'requests_per_minute' });
    expect(provider.requests).toHaveLength(1);
  });
});
