import { expectedConverseUsage, expectedInvokeCounts, expectedUsage, startFakeBedrock } from '@costctl/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Tokens, expectChatsPriced, priceFromData, runCallsApp, total, useFakeCloud } from './helpers/cloud-calls.js';
import { select, sum } from './helpers/prometheus.js';

/** One call the test app makes (see test/apps/bedrock-calls.mjs). */
interface CallSpec {
  operation: 'converse' | 'converse-stream' | 'invoke' | 'invoke-stream' | 'openai-chat' | 'openai-chat-stream';
  modelId: string;
  body: Record<string, unknown>;
  scenario?: string;
}

const bedrock = useFakeCloud(() => startFakeBedrock({ holdOpenMs: 300 }));
// The SDK's own default handler speaks HTTP/2 (h2c here).
const bedrockHttp2 = useFakeCloud(() => startFakeBedrock({ holdOpenMs: 300, http2: true }));

/** The client's transport in the running describe block. */
let handler = 'fetch';

/** The fake the running describe block's handler speaks to. */
const fake = () => (handler === 'default' ? bedrockHttp2 : bedrock)();

function runCalls(calls: CallSpec[], env: Record<string, string> = {}) {
  const url = fake().url;
  return runCallsApp('test/apps/bedrock-calls.mjs', calls, { FAKE_BEDROCK_URL: url, COSTCTL_ENDPOINTS: `aws.bedrock=${url}`, HANDLER: handler, ...env });
}

/** The model id as priced: the path's id, an ARN's inference profile. */
function pricedModel(modelId: string): string {
  return modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
}

/** Tokens in the price data's terms: Bedrock's input count excludes the cache, the total input includes it. */
function tokens(call: CallSpec): Tokens {
  if (call.operation === 'converse' || call.operation === 'converse-stream') {
    const usage = expectedConverseUsage(call.body);
    const input = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens;
    return { input, output: usage.outputTokens, cacheRead: usage.cacheReadInputTokens, cacheWrite: usage.cacheWriteInputTokens, reasoning: 0 };
  }
  if (call.operation === 'openai-chat' || call.operation === 'openai-chat-stream') {
    const usage = expectedUsage('openai.chat', call.body);
    return { input: usage.prompt_tokens, output: usage.completion_tokens, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  }
  const counts = expectedInvokeCounts(pricedModel(call.modelId), call.body);
  return {
    input: counts.input + counts.cacheRead + counts.cacheWrite,
    output: counts.output,
    cacheRead: counts.cacheRead,
    cacheWrite: counts.cacheWrite,
    reasoning: 0,
  };
}

/** The exact price of a call under AWS Bedrock's provider id. */
const expectedCost = (call: CallSpec): number => priceFromData(tokens(call), pricedModel(call.modelId), 'aws');
const question = 'Which budget rule stopped the batch job last night?';
const converse = (extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content: [{ text: question }] }], ...extra });
const anthropic = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 40, messages: [{ role: 'user', content: question }] };
const cachedSystem = [{ text: 'You answer questions about cost controls. '.repeat(12) }, { cachePoint: { type: 'default' } }];

// FetchHttpHandler (fetch with a Request object), NodeHttpHandler (node:http) and the SDK's default, NodeHttp2Handler (node:http2).
describe.each(['fetch', 'node-http', 'default'])('node --import @costctl/otel/register with @aws-sdk/client-bedrock-runtime on its %s handler', (name) => {
  beforeAll(() => {
    handler = name;
  });

  it('prices Converse, ConverseStream, InvokeModel and its response stream exactly, across model families and inference profiles', async () => {
    const calls: CallSpec[] = [
      { operation: 'converse', modelId: 'amazon.nova-lite-v1:0', body: converse({ inferenceConfig: { maxTokens: 20 } }) },
      { operation: 'converse', modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', body: converse({ system: cachedSystem }) },
      {
        operation: 'converse',
        modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
        body: {
          system: cachedSystem,
          messages: [...converse().messages, { role: 'assistant', content: [{ text: 'The daily rule.' }] }, ...converse().messages],
        },
      },
      { operation: 'converse-stream', modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', body: converse() },
      { operation: 'converse-stream', modelId: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0', body: converse() },
      { operation: 'invoke', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', body: anthropic },
      { operation: 'invoke', modelId: 'amazon.nova-micro-v1:0', body: converse({ inferenceConfig: { maxTokens: 8 } }) },
      { operation: 'invoke', modelId: 'amazon.titan-embed-text-v2:0', body: { inputText: question } },
      { operation: 'invoke-stream', modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0', body: anthropic },
      { operation: 'invoke-stream', modelId: 'us.amazon.nova-lite-v1:0', body: converse() },
    ];
    const run = await runCalls(calls);

    expect(run.lines.map((line) => line.ok)).toEqual(calls.map(() => true));
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(total(calls, expectedCost), 12);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' })).toBe(0);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok', gen_ai_provider_name: 'aws.bedrock' })).toBe(calls.length);
    for (const type of ['input', 'output', 'cache_read', 'cache_write'] as const) {
      const key = type === 'cache_read' ? 'cacheRead' : type === 'cache_write' ? 'cacheWrite' : type;
      expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_token_type: type }), type).toBe(total(calls, (call) => tokens(call)[key]));
    }
    expect(tokens(calls[1]!).cacheWrite).toBeGreaterThan(0);
    expect(tokens(calls[2]!).cacheRead).toBeGreaterThan(0);
    // A global inference profile is priced as such, apart from the regional one.
    expect(sum(run.samples, 'costctl_cost_usd_total', { gen_ai_request_model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' })).toBeCloseTo(
      expectedCost(calls[3]!),
      12,
    );
    expect(select(run.samples, 'costctl_requests_total', { gen_ai_request_model: 'us.amazon.nova-pro-v1:0' })).toHaveLength(1);
    expect(sum(run.samples, 'costctl_requests_total', { gen_ai_operation_name: 'embeddings' })).toBe(1);
    expect(run.metricsText).not.toMatch(/AKIDFAKEFAKEFAKE|fake-secret-key|batch job last night/);
  });

  it('estimates event streams cut before their usage, and prices one held open after it exactly', async () => {
    const calls: CallSpec[] = [
      { operation: 'converse-stream', modelId: 'amazon.nova-lite-v1:0', body: converse(), scenario: 'cut-after-usage' },
      { operation: 'converse-stream', modelId: 'amazon.nova-lite-v1:0', body: converse(), scenario: 'cut' },
      { operation: 'invoke-stream', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', body: anthropic, scenario: 'cut' },
    ];
    const run = await runCalls(calls);

    // Over HTTP/2 the fake's cut is a stream reset, which the SDK does not raise (the same without costctl).
    const http2 = handler === 'default';
    expect(run.lines.map((line) => line.ok)).toEqual(http2 ? [true, true, true] : [false, false, false]);
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo(expectedCost(calls[0]!), 12);
    if (!http2) expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBe(1);
    const estimated = select(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'estimated' });
    expect(estimated.map((sample) => sample.labels.gen_ai_request_model).sort()).toEqual(['amazon.nova-lite-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0']);
    for (const sample of estimated) expect(sample.value).toBeGreaterThan(0);
    // Anthropic's message_start, inside the chunks, gave the exact input before the cut.
    expect(sum(run.samples, 'costctl_tokens_total', { gen_ai_request_model: 'anthropic.claude-3-haiku-20240307-v1:0', gen_ai_token_type: 'input' })).toBe(
      tokens(calls[2]!).input,
    );
  });

  it('blocks a call over budget before it leaves: the SDK raises it at once, one attempt, no request at the server', async () => {
    const call: CallSpec = { operation: 'converse', modelId: 'amazon.nova-pro-v1:0', body: converse({ inferenceConfig: { maxTokens: 24 } }) };
    const limit = 1.5 * expectedCost(call);
    const run = await runCalls([call, call, { ...call, operation: 'converse-stream' }], { COSTCTL_DAILY_LIMIT_USD: String(limit) });

    expect(run.lines.map((line) => line.ok)).toEqual([true, false, false]);
    for (const line of run.lines.slice(1)) {
      expect(line.error).toMatchObject({ name: 'costctl_budget_exceeded', status: 402, attempts: 1 });
      expect(String((line.error as { message: string }).message)).toContain('budget rule "daily_usd" (day) has $');
    }
    expect(fake().requests).toHaveLength(1);
    expect(sum(run.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })).toBe(2);
  });
});

describe("Bedrock's OpenAI-compatible endpoint, with the openai client", () => {
  beforeAll(() => {
    handler = 'fetch';
  });

  it('prices Chat Completions, JSON and stream, under the model the body names', async () => {
    const messages = [{ role: 'user', content: question }];
    const calls: CallSpec[] = [
      { operation: 'openai-chat', modelId: 'openai.gpt-oss-20b-1:0', body: { messages, max_tokens: 16 } },
      { operation: 'openai-chat-stream', modelId: 'openai.gpt-oss-120b-1:0', body: { messages } },
    ];
    const run = await runCalls(calls);
    expect(run.lines.map((line) => line.ok)).toEqual([true, true]);
    expect(bedrock().requests.map((request) => [request.path, request.model, request.stream])).toEqual([
      ['/openai/v1/chat/completions', 'openai.gpt-oss-20b-1:0', false],
      ['/openai/v1/chat/completions', 'openai.gpt-oss-120b-1:0', true],
    ]);
    expectChatsPriced(
      run,
      'aws.bedrock',
      calls.map((call) => [call.modelId, expectedCost(call)]),
    );
    expect(run.metricsText).not.toMatch(/bedrock-api-key/);
  });
});
