import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider, type ProviderApi } from '@costctl/testkit';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

/** One call the test app makes with an official SDK client. */
interface CallSpec {
  api: ProviderApi;
  body: Record<string, unknown>;
  scenario?: string;
}

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider();
});

afterAll(async () => {
  await provider.close();
});

function runCalls(calls: CallSpec[], env: Record<string, string> = {}) {
  return runApp('test/apps/llm-calls.mjs', {
    settled: (samples) => sum(samples, 'costctl_requests_total') === calls.length,
    env: {
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
      CALLS: JSON.stringify(calls),
      ...env,
    },
  });
}

/** Tokens in the price data's terms, from the fake provider's documented accounting. */
function tokens(api: ProviderApi, body: object): { input: number; output: number; cacheRead: number; cacheWrite: number } {
  // biome-ignore lint/suspicious/noExplicitAny: each API's usage has its own fields, read per case below
  const usage = expectedUsage(api, body) as Record<string, any>;
  switch (api) {
    case 'openai.chat':
      return { input: usage.prompt_tokens, output: usage.completion_tokens, cacheRead: usage.prompt_tokens_details?.cached_tokens ?? 0, cacheWrite: 0 };
    case 'openai.responses':
      return { input: usage.input_tokens, output: usage.output_tokens, cacheRead: usage.input_tokens_details?.cached_tokens ?? 0, cacheWrite: 0 };
    case 'openai.embeddings':
      return { input: usage.prompt_tokens, output: 0, cacheRead: 0, cacheWrite: 0 };
    case 'anthropic.messages': {
      const cacheRead = usage.cache_read_input_tokens ?? 0;
      const cacheWrite = usage.cache_creation_input_tokens ?? 0;
      return { input: usage.input_tokens + cacheRead + cacheWrite, output: usage.output_tokens, cacheRead, cacheWrite };
    }
    default:
      throw new Error(`no token accounting for ${api}`);
  }
}

/** The exact price of a call, straight from the price data (not through costctl's cache). */
function expectedCost(api: ProviderApi, body: Record<string, unknown>): number {
  const t = tokens(api, body);
  const provider = api.startsWith('anthropic') ? 'anthropic' : 'openai';
  const price = calcPrice(
    { input_tokens: t.input, output_tokens: t.output, cache_read_tokens: t.cacheRead, cache_write_tokens: t.cacheWrite },
    responseModel(api, String(body.model)),
    { providerId: provider },
  );
  if (price === null) throw new Error(`the price data has no ${String(body.model)}`);
  return price.total_price;
}

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What does a runaway retry loop cost per hour?' }],
  ...extra,
});
const messages = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Summarise our spend this month in one line.' }],
  ...extra,
});

describe('node --import @costctl/otel/register with the official SDKs', () => {
  it('prices every kind of call exactly, JSON and streams, and exports it on /metrics', async () => {
    const calls: CallSpec[] = [
      { api: 'openai.chat', body: chat() },
      { api: 'openai.chat', body: chat({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 12 }) },
      { api: 'openai.chat', body: chat({ prompt_cache_key: 'team-a' }) },
      { api: 'openai.responses', body: { model: 'gpt-4o-mini', input: 'Name three cost controls.' } },
      { api: 'openai.responses', body: { model: 'gpt-4o-mini', input: 'Name three cost controls.', stream: true } },
      { api: 'openai.embeddings', body: { model: 'text-embedding-3-small', input: ['budget', 'gate'] } },
      { api: 'anthropic.messages', body: messages() },
      { api: 'anthropic.messages', body: messages({ stream: true }) },
      { api: 'anthropic.messages', body: messages({ system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }] }) },
    ];
    const run = await runCalls(calls);

    expect(run.lines.map((line) => line.ok)).toEqual(calls.map(() => true));
    const expected = calls.reduce((total, call) => total + expectedCost(call.api, call.body), 0);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(expected, 12);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' })).toBe(0);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(calls.length);

    const inputTokens = calls.reduce((total, call) => total + tokens(call.api, call.body).input, 0);
    const outputTokens = calls.reduce((total, call) => total + tokens(call.api, call.body).output, 0);
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_token_type: 'input' })).toBe(inputTokens);
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_token_type: 'output' })).toBe(outputTokens);
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_token_type: 'cache_write' })).toBe(tokens('anthropic.messages', calls[8]!.body).cacheWrite);
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_token_type: 'cache_read' })).toBe(tokens('openai.chat', calls[2]!.body).cacheRead);

    // The per-model series carry the GenAI attribute names, as Prometheus shows them.
    expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'anthropic', gen_ai_request_model: 'claude-haiku-4-5' })).toBeCloseTo(
      calls.filter((call) => call.api === 'anthropic.messages').reduce((total, call) => total + expectedCost(call.api, call.body), 0),
      12,
    );
    expect(select(run.samples, 'costctl_requests_total', { gen_ai_operation_name: 'embeddings' })).toHaveLength(1);
    expect(sum(run.samples, 'gen_ai_client_operation_duration_count')).toBe(calls.length);
    expect(sum(run.samples, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' })).toBe(inputTokens);
    expect(run.metricsText).not.toMatch(/sk-test-key|sk-ant-test-key|runaway retry loop|Summarise our spend/);

    // The ledger has one line per call, costs that add up to the metrics, and no prompt or key.
    const ledger = readdirSync(run.stateDir)
      .filter((name) => name.startsWith('ledger-'))
      .map((name) => readFileSync(join(run.stateDir, name), 'utf8'))
      .join('');
    const entries = ledger
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { cost_usd: number; outcome: string; unpriced_reason: string | null; cost_source: string });
    expect(entries).toHaveLength(calls.length);
    expect(entries.map((entry) => [entry.outcome, entry.cost_source, entry.unpriced_reason])).toEqual(calls.map(() => ['ok', 'price_table', null]));
    expect(entries.reduce((total, entry) => total + entry.cost_usd, 0)).toBeCloseTo(expected, 12);
    expect(ledger).not.toMatch(/sk-test-key|sk-ant-test-key|runaway retry loop|Summarise our spend|Bearer/);
  });

  it('prices a stream the client stops reading after its usage exactly, and estimates the ones cut before it', async () => {
    const streamed = chat({ stream: true, stream_options: { include_usage: true } });
    const run = await runCalls([
      { api: 'openai.chat', body: streamed, scenario: 'cut-after-usage' },
      { api: 'openai.chat', body: streamed, scenario: 'cut' },
      { api: 'openai.chat', body: chat({ stream: true }) },
      { api: 'anthropic.messages', body: messages({ stream: true }), scenario: 'cut' },
    ]);

    expect(run.lines.map((line) => line.ok)).toEqual([true, false, true, false]);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(expectedCost('openai.chat', streamed), 12);
    // Cut streams and a stream without include_usage are estimated: counted, labelled, never $0.
    const estimated = select(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' });
    expect(estimated.map((sample) => sample.labels.gen_ai_provider_name).sort()).toEqual(['anthropic', 'openai']);
    for (const sample of estimated) expect(sample.value).toBeGreaterThan(0);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(2);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'error' })).toBe(2);
    // Anthropic's message_start gave the exact input before the cut.
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_provider_name: 'anthropic', gen_ai_token_type: 'input' })).toBe(
      tokens('anthropic.messages', messages({ stream: true })).input,
    );
  });

  it('estimates a stream cut in the middle of an event, and the app sees the same error as without costctl', async () => {
    const calls: CallSpec[] = [
      { api: 'openai.chat', body: chat({ stream: true, stream_options: { include_usage: true } }), scenario: 'cut-mid-event' },
      { api: 'anthropic.messages', body: messages({ stream: true }), scenario: 'cut-mid-event' },
    ];
    const env = {
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
      CALLS: JSON.stringify(calls),
    };
    const without = await runApp('test/apps/llm-calls.mjs', { register: false, env });
    const run = await runCalls(calls);

    expect(run.lines).toEqual(without.lines);
    expect(run.lines.map((line) => line.ok)).toEqual([false, false]);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'error' })).toBe(2);
    const estimated = select(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' });
    expect(estimated.map((sample) => sample.labels.gen_ai_provider_name).sort()).toEqual(['anthropic', 'openai']);
    for (const sample of estimated) expect(sample.value).toBeGreaterThan(0);
    expect(sum(run.samples, 'costctl_unpriced_requests_total')).toBe(0);
  });

  it("counts a stream that fails in-band after its 200 as an error, with the provider's error type, still priced as estimated", async () => {
    const run = await runCalls([
      { api: 'openai.chat', body: chat({ stream: true }), scenario: 'stream-error' },
      { api: 'anthropic.messages', body: messages({ stream: true }), scenario: 'stream-error' },
    ]);
    // Both SDKs raise the in-band error to the app, as without costctl.
    expect(run.lines.map((line) => line.ok)).toEqual([false, false]);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'error' })).toBe(2);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(0);
    expect(select(run.samples, 'gen_ai_client_operation_duration_count', { error_type: 'server_error' })).toHaveLength(1);
    expect(select(run.samples, 'gen_ai_client_operation_duration_count', { error_type: 'api_error' })).toHaveLength(1);
    const estimated = select(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' });
    expect(estimated.map((sample) => sample.labels.gen_ai_provider_name).sort()).toEqual(['anthropic', 'openai']);
  });

  it('counts a model missing from the price data as unpriced, with its reason, and errors as errors', async () => {
    const run = await runCalls([
      { api: 'openai.chat', body: chat({ model: 'acme-llm-7b' }) },
      { api: 'openai.chat', body: chat(), scenario: 'error-400' },
      { api: 'anthropic.messages', body: messages(), scenario: 'error' },
    ]);
    expect(run.lines.map((line) => (line.error as { status?: number } | undefined)?.status)).toEqual([undefined, 400, 500]);
    expect(sum(run.samples, 'costctl_unpriced_requests_total', { costctl_reason: 'unknown_model', gen_ai_request_model: 'acme-llm-7b' })).toBe(1);
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_request_model: 'acme-llm-7b', gen_ai_token_type: 'input' })).toBe(
      tokens('openai.chat', chat()).input,
    );
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBe(0);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'error' })).toBe(2);
    expect(select(run.samples, 'gen_ai_client_operation_duration_count', { error_type: '400' })).toHaveLength(1);
  });

  it('prices a model the price data lacks from a config-file override', async () => {
    const run = await runCalls([{ api: 'openai.chat', body: chat({ model: 'acme-llm-7b' }) }], {
      COSTCTL_CONFIG: 'test/fixtures/acme-prices.json',
    });
    const t = tokens('openai.chat', chat());
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo((t.input * 0.5 + t.output * 1.5) / 1e6, 15);
    expect(sum(run.samples, 'costctl_unpriced_requests_total')).toBe(0);
  });
});
