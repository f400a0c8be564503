import { expectedUsage, type FakeProvider, startFakeProvider } from '@costctl/testkit';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let server: FakeProvider;

beforeAll(async () => {
  server = await startFakeProvider();
});

afterAll(async () => {
  await server.close();
});

// A model no price data knows, served by a self-hosted OpenAI-compatible server, and its price in the config file.
const MODEL = 'Qwen/Qwen2.5-7B-Instruct';
const PRICE = { input: 0.2, output: 0.6 };
const question = [{ role: 'user', content: 'Summarise the incident report in two sentences.' }];
const bodies = [
  { model: MODEL, messages: question },
  { model: MODEL, messages: question, stream: true, stream_options: { include_usage: true }, max_tokens: 10 },
];

function run(baseUrl: string, env: Record<string, string>) {
  return runApp('test/apps/custom-endpoint.mjs', {
    settled: (samples) => sum(samples, 'costctl_requests_total') === bodies.length,
    env: { BASE_URL: baseUrl, CALLS: JSON.stringify(bodies), ...env },
  });
}

/** Tokens of a call by the fake's documented accounting. */
function tokens(body: object): { input: number; output: number } {
  const usage = expectedUsage('openai.chat', body);
  return { input: usage.prompt_tokens, output: usage.completion_tokens };
}

describe('a self-hosted OpenAI-compatible endpoint', () => {
  it('prices a model the price data lacks from the config file, JSON and stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'costctl-vllm-'));
    const base = `${server.url}/vllm/v1`;
    writeFileSync(
      join(dir, 'costctl.config.yaml'),
      [
        'endpoints:',
        `  - { provider: openai, baseUrl: "${base}" }`,
        'prices:',
        '  openai:',
        `    "${MODEL}": { input: ${PRICE.input}, output: ${PRICE.output} }`,
      ].join('\n'),
    );
    const result = await run(base, { COSTCTL_CONFIG: join(dir, 'costctl.config.yaml') });
    expect(result.lines.map((line) => line.ok)).toEqual([true, true]);
    const expected = bodies.reduce((total, body) => {
      const t = tokens(body);
      return total + (t.input * PRICE.input + t.output * PRICE.output) / 1e6;
    }, 0);
    expect(
      sum(result.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'openai', gen_ai_request_model: MODEL, costctl_cost_source: 'price_table' }),
    ).toBeCloseTo(expected, 15);
    expect(sum(result.samples, 'costctl_unpriced_requests_total')).toBe(0);
    expect(server.requests.filter((request) => request.path === '/vllm/v1/chat/completions')).toHaveLength(2);
  });

  it('counts the same model without a config price as unpriced, unknown_model — never $0', async () => {
    const base = `${server.url}/ollama/v1`;
    const result = await run(base, { COSTCTL_ENDPOINTS: `openai=${base}` });
    expect(result.lines.map((line) => line.ok)).toEqual([true, true]);
    expect(sum(result.samples, 'costctl_unpriced_requests_total', { costctl_reason: 'unknown_model', gen_ai_request_model: MODEL })).toBe(2);
    expect(sum(result.samples, 'costctl_cost_usd_total')).toBe(0);
    // Its tokens are still counted, as the server reported them.
    expect(sum(result.samples, 'costctl_tokens_total', { gen_ai_token_type: 'input' })).toBe(bodies.reduce((total, body) => total + tokens(body).input, 0));
  });
});
