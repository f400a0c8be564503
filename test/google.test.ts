import { expectedGeminiEmbedUsage, expectedGeminiUsage, expectedUsage, expectedVertexPredictTokens, startFakeGoogle } from '@costctl/testkit';
import { describe, expect, it } from 'vitest';
import { type Tokens, expectChatsPriced, priceFromData, runCallsApp, total, useFakeCloud } from './helpers/cloud-calls.js';
import { select, sum } from './helpers/prometheus.js';

/** One call the test app makes (see test/apps/google-calls.mjs). */
interface CallSpec {
  method: 'generate' | 'stream' | 'embed' | 'images' | 'array-stream' | 'claude' | 'claude-stream' | 'openai-chat' | 'openai-chat-stream';
  model: string;
  vertex?: boolean;
  contents?: string | string[];
  config?: Record<string, unknown>;
  /** The JSON body, for the calls made with fetch. */
  body?: Record<string, unknown>;
  scenario?: string;
}

const google = useFakeCloud(() => startFakeGoogle({ holdOpenMs: 300 }));

function runCalls(calls: CallSpec[], env: Record<string, string> = {}) {
  // Each client has its own base path, which COSTCTL_ENDPOINTS maps to its provider.
  const prefixed = calls.map((call) => ({
    ...call,
    prefix: [call.vertex ? 'vertex' : 'gemini', ...(call.scenario ? ['scenario', call.scenario] : [])].join('/'),
  }));
  const url = google().url;
  return runCallsApp('test/apps/google-calls.mjs', prefixed, {
    FAKE_GOOGLE_URL: url,
    COSTCTL_ENDPOINTS: `gcp.gemini=${url}/gemini,gcp.vertex_ai=${url}/vertex`,
    ...env,
  });
}

/** The body @google/genai sends for a call's contents and config, which the fake's usage formula reads. */
function wireBody(call: CallSpec): Record<string, unknown> {
  if (call.body !== undefined) return call.body;
  if (call.method === 'openai-chat' || call.method === 'openai-chat-stream') return { model: call.model, messages: [{ role: 'user', content: call.contents }] };
  const texts = Array.isArray(call.contents) ? call.contents : [call.contents ?? ''];
  // On Vertex AI the SDK embeds through :predict, one instance per text.
  if (call.method === 'embed' && call.vertex === true) return { instances: texts.map((content) => ({ content })) };
  if (call.method === 'embed') return { requests: texts.map((text) => ({ content: { parts: [{ text }] } })) };
  const { systemInstruction, cachedContent, ...generationConfig } = call.config ?? {};
  return {
    contents: texts.map((text) => ({ role: 'user', parts: [{ text }] })),
    ...(systemInstruction === undefined ? {} : { systemInstruction: { parts: [{ text: systemInstruction }] } }),
    ...(cachedContent === undefined ? {} : { cachedContent }),
    generationConfig,
  };
}

/** Tokens as Google bills them, from the fake's documented accounting (thoughts are output). */
function tokens(call: CallSpec): Tokens {
  const body = wireBody(call);
  if (call.method === 'openai-chat' || call.method === 'openai-chat-stream') {
    const usage = expectedUsage('openai.chat', body);
    return { input: usage.prompt_tokens, output: usage.completion_tokens, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  }
  if (call.method === 'claude' || call.method === 'claude-stream') {
    const usage = expectedUsage('anthropic.messages', body);
    const cache = usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
    return {
      input: usage.input_tokens + cache,
      output: usage.output_tokens,
      cacheRead: usage.cache_read_input_tokens,
      cacheWrite: usage.cache_creation_input_tokens,
      reasoning: 0,
    };
  }
  if (call.method === 'embed') {
    const input = call.vertex === true ? expectedVertexPredictTokens(body).reduce((a, b) => a + b, 0) : expectedGeminiEmbedUsage(body).promptTokenCount;
    return { input, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  }
  const usage = expectedGeminiUsage(body);
  const thoughts = usage.thoughtsTokenCount ?? 0;
  return {
    input: usage.promptTokenCount,
    output: usage.candidatesTokenCount + thoughts,
    cacheRead: usage.cachedContentTokenCount ?? 0,
    cacheWrite: 0,
    reasoning: thoughts,
  };
}

/** The exact price of a call under Google's provider id (the OpenAI-compatible endpoint's `google/` prefix is no part of it). */
const expectedCost = (call: CallSpec): number => priceFromData(tokens(call), call.model.replace(/^google\//, ''), 'google');
const question = 'How do I stop a retry loop from burning our budget?';
const claudeBody = { anthropic_version: 'vertex-2023-10-16', max_tokens: 48, messages: [{ role: 'user', content: question }] };

describe('node --import @costctl/otel/register with @google/genai', () => {
  it('prices every Gemini API and Vertex AI call exactly, JSON and streams, thoughts and cache included', async () => {
    const calls: CallSpec[] = [
      {
        method: 'generate',
        model: 'gemini-2.5-flash',
        contents: question,
        config: { maxOutputTokens: 12, thinkingConfig: { thinkingBudget: 96 }, systemInstruction: 'Answer in one line.' },
      },
      { method: 'generate', model: 'gemini-2.5-flash', contents: question.repeat(8), config: { cachedContent: 'cachedContents/budget-handbook' } },
      { method: 'stream', model: 'gemini-2.5-flash-lite', contents: question },
      { method: 'embed', model: 'gemini-embedding-001', contents: ['daily budget', 'emergency gate', 'ledger'] },
      {
        method: 'array-stream',
        model: 'gemini-2.5-flash',
        body: { contents: [{ role: 'user', parts: [{ text: question }] }], generationConfig: { maxOutputTokens: 10 } },
      },
      { method: 'generate', vertex: true, model: 'gemini-2.5-pro', contents: question, config: { thinkingConfig: { thinkingBudget: 128 } } },
      { method: 'stream', vertex: true, model: 'gemini-2.0-flash-001', contents: question },
      { method: 'claude', vertex: true, model: 'claude-haiku-4-5@20251001', body: claudeBody },
      { method: 'claude-stream', vertex: true, model: 'claude-sonnet-4-5@20250929', body: { ...claudeBody, stream: true } },
      { method: 'embed', vertex: true, model: 'gemini-embedding-001', contents: ['daily budget', 'emergency gate per tenant'] },
    ];
    const run = await runCalls(calls);

    expect(run.lines.map((line) => line.ok)).toEqual(calls.map(() => true));
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(total(calls, expectedCost), 12);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' })).toBe(0);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(calls.length);
    for (const provider of ['gcp.gemini', 'gcp.vertex_ai']) {
      const own = calls.filter((call) => (provider === 'gcp.vertex_ai') === (call.vertex === true));
      expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: provider })).toBeCloseTo(total(own, expectedCost), 12);
    }
    for (const type of ['input', 'output', 'cache_read', 'reasoning'] as const) {
      const key = type === 'cache_read' ? 'cacheRead' : type;
      expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_token_type: type }), type).toBe(total(calls, (call) => tokens(call)[key]));
    }
    expect(tokens(calls[0]!).reasoning).toBe(96);
    expect(tokens(calls[1]!).cacheRead).toBeGreaterThan(0);
    // The model came from the path: gen_ai.request.model names it on every series.
    expect(select(run.samples, 'costctl_requests_total', { gen_ai_request_model: 'claude-haiku-4-5@20251001', gen_ai_operation_name: 'chat' })).toHaveLength(1);
    expect(sum(run.samples, 'costctl_requests_total', { gen_ai_operation_name: 'embeddings', gen_ai_provider_name: 'gcp.gemini' })).toBe(1);
    // Vertex AI's embeddings came through :predict, priced from the token counts of its predictions.
    expect(google().requests.at(-1)).toMatchObject({ path: expect.stringMatching(/\/publishers\/google\/models\/gemini-embedding-001:predict$/) });
    expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_operation_name: 'embeddings', gen_ai_provider_name: 'gcp.vertex_ai' })).toBeCloseTo(
      expectedCost(calls.at(-1)!),
      15,
    );
    expect(run.metricsText).not.toMatch(/gemini-test-key|vertex-test-key|retry loop from burning/);
  });

  it('counts Vertex AI embeddings of a model the price data lacks as unpriced, not $0, with their tokens', async () => {
    const call: CallSpec = { method: 'embed', vertex: true, model: 'text-embedding-005', contents: ['weekly spend', 'search budget'] };
    const run = await runCalls([call]);
    expect(run.lines[0]!.ok).toBe(true);
    expect(
      sum(run.samples, 'costctl_unpriced_requests_total', {
        gen_ai_provider_name: 'gcp.vertex_ai',
        gen_ai_request_model: 'text-embedding-005',
        costctl_reason: 'unknown_model',
      }),
    ).toBe(1);
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_provider_name: 'gcp.vertex_ai', gen_ai_token_type: 'input' })).toBe(tokens(call).input);
    expect(tokens(call).input).toBe(3 + 4);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBe(0);
  });

  it('counts the images Imagen made on Vertex AI, unpriced rather than $0: the price data has no Imagen model', async () => {
    const run = await runCalls([
      { method: 'images', vertex: true, model: 'imagen-4.0-generate-001', contents: 'A gate that stops runaway spend', config: { numberOfImages: 3 } },
      { method: 'images', vertex: true, model: 'imagen-4.0-fast-generate-001', contents: 'A ledger' },
    ]);
    expect(run.lines.map((line) => [line.ok, line.images])).toEqual([
      [true, 3],
      [true, 4],
    ]);
    expect(
      sum(run.samples, 'costctl_requests_total', { gen_ai_provider_name: 'gcp.vertex_ai', gen_ai_operation_name: 'image_generation', costctl_outcome: 'ok' }),
    ).toBe(2);
    expect(sum(run.samples, 'costctl_units_total', { gen_ai_provider_name: 'gcp.vertex_ai', costctl_unit: 'images' })).toBe(3 + 4);
    expect(sum(run.samples, 'costctl_unpriced_requests_total', { gen_ai_operation_name: 'image_generation', costctl_reason: 'unknown_model' })).toBe(2);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBe(0);
  });

  it("prices Vertex AI's OpenAI-compatible Chat Completions, called with the openai client, JSON and stream", async () => {
    const calls: CallSpec[] = [
      { method: 'openai-chat', vertex: true, model: 'google/gemini-2.5-flash', contents: question },
      { method: 'openai-chat-stream', vertex: true, model: 'google/gemini-2.0-flash-001', contents: question },
    ];
    const run = await runCalls(calls);
    expect(run.lines.map((line) => line.ok)).toEqual([true, true]);
    expect(run.lines.map((line) => line.usage)).toMatchObject(
      calls.map((call) => ({ prompt_tokens: tokens(call).input, completion_tokens: tokens(call).output })),
    );
    expect(google().requests.map((request) => request.path)).toEqual(
      calls.map(() => '/vertex/v1/projects/cost-demo/locations/us-central1/endpoints/openapi/chat/completions'),
    );
    expectChatsPriced(
      run,
      'gcp.vertex_ai',
      calls.map((call) => [call.model, expectedCost(call)]),
    );
    expect(run.metricsText).not.toMatch(/vertex-access-token/);
  });

  it('prices a stream read to its last chunk exactly even when the connection then drops, and estimates the ones cut earlier', async () => {
    const streamed = (extra: Partial<CallSpec>): CallSpec => ({ method: 'stream', model: 'gemini-2.5-flash', contents: question, ...extra });
    const run = await runCalls([
      streamed({ scenario: 'cut-after-usage' }),
      streamed({ scenario: 'cut' }),
      streamed({ vertex: true, scenario: 'cut' }),
      streamed({ scenario: 'stream-error' }),
    ]);

    expect(run.lines.map((line) => line.ok)).toEqual([false, false, false, false]);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(expectedCost(streamed({})), 12);
    // The cuts failed on the wire; the stream-error answer ended cleanly with its error in-band, and is an error too.
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'error' })).toBe(3);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(1);
    expect(select(run.samples, 'gen_ai_client_operation_duration_count', { error_type: 'INTERNAL' })).toHaveLength(1);
    const estimated = select(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' });
    expect(estimated.map((sample) => sample.labels.gen_ai_provider_name).sort()).toEqual(['gcp.gemini', 'gcp.vertex_ai']);
    for (const sample of estimated) expect(sample.value).toBeGreaterThan(0);
    // The Gemini API's cumulative usage gave the exact input before each cut; Vertex's stream had none, so its input is estimated.
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_provider_name: 'gcp.gemini', gen_ai_token_type: 'input' })).toBe(3 * tokens(streamed({})).input);
  });

  it('blocks a call over budget before it leaves: ApiError 402 at once, no request at the server, no retry', async () => {
    const call: CallSpec = { method: 'generate', model: 'gemini-2.5-flash', contents: question, config: { maxOutputTokens: 24 } };
    const limit = 1.5 * expectedCost(call);
    const run = await runCalls([call, call, { ...call, vertex: true }], { COSTCTL_DAILY_LIMIT_USD: String(limit) });

    expect(run.lines.map((line) => line.ok)).toEqual([true, false, false]);
    for (const line of run.lines.slice(1)) {
      const error = line.error as { name: string; status: number; message: string };
      expect(error).toMatchObject({ name: 'ApiError', status: 402 });
      expect(JSON.parse(error.message)).toMatchObject({ error: { code: 402, status: 'costctl_budget_exceeded' } });
    }
    expect(google().requests).toHaveLength(1);
    // Exactly two blocked: a retry would have been blocked, and counted, again.
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })).toBe(2);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBeLessThanOrEqual(limit);
  });
});
