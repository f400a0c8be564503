import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ModelStreamErrorException,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeCloud } from '../cloud/fake-server.js';
import { CANNED_REPLY, expectedUsage } from '../usage.js';
import { startFakeBedrock } from './server.js';
import { expectedConverseUsage, expectedInvokeCounts } from './usage.js';

let bedrock: FakeCloud;

beforeAll(async () => {
  bedrock = await startFakeBedrock({ holdOpenMs: 50 });
});
beforeEach(() => bedrock.reset());
afterAll(() => bedrock.close());

/** A client on fake credentials over HTTP/1.1 (the fake does not speak HTTP/2, the SDK's default for this client). */
function client(prefix = '', config: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${bedrock.url}${prefix}`,
    credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
    ...config,
  });
}

const question = 'How much budget is left today?';
const messages = [{ role: 'user' as const, content: [{ text: question }] }];
const utf8 = new TextDecoder();

describe('Converse', () => {
  it('answers JSON with the canned reply and the usage, the model id decoded', async () => {
    const body = { messages, inferenceConfig: { maxTokens: 5 } };
    const response = await client().send(new ConverseCommand({ modelId: 'us.amazon.nova-lite-v1:0', ...body }));
    expect(response.output?.message?.content).toEqual([{ text: CANNED_REPLY.split(' ').slice(0, 5).join(' ') }]);
    expect(response.stopReason).toBe('max_tokens');
    expect(response.usage).toEqual(expectedConverseUsage(body));
    expect(bedrock.requests).toEqual([
      {
        method: 'POST',
        path: '/model/us.amazon.nova-lite-v1%3A0/converse',
        api: 'bedrock.converse',
        model: 'us.amazon.nova-lite-v1:0',
        stream: false,
        scenario: 'normal',
        status: 200,
      },
    ]);
  });

  it('writes the cache on a first turn and reads it on the next, outside inputTokens', async () => {
    const system = [{ text: 'You are a terse cost assistant. '.repeat(10) }, { cachePoint: { type: 'default' as const } }];
    const first = await client().send(new ConverseCommand({ modelId: 'amazon.nova-pro-v1:0', system, messages }));
    const next = [...messages, { role: 'assistant' as const, content: [{ text: 'Plenty.' }] }, ...messages];
    const second = await client().send(new ConverseCommand({ modelId: 'amazon.nova-pro-v1:0', system, messages: next }));
    expect(first.usage).toEqual(expectedConverseUsage({ system, messages }));
    expect(first.usage?.cacheWriteInputTokens).toBeGreaterThan(0);
    expect(second.usage?.cacheReadInputTokens).toBeGreaterThan(0);
    expect(second.usage!.inputTokens! + second.usage!.cacheReadInputTokens! + second.usage!.outputTokens!).toBe(second.usage!.totalTokens);
  });

  it('streams event stream frames the SDK accepts, ending in metadata with the usage', async () => {
    const response = await client().send(new ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages }));
    const kinds: string[] = [];
    let text = '';
    for await (const event of response.stream!) {
      kinds.push(Object.keys(event)[0]!);
      text += event.contentBlockDelta?.delta?.text ?? '';
      if (event.metadata) expect(event.metadata.usage).toEqual(expectedConverseUsage({ messages }));
    }
    expect(text).toBe(CANNED_REPLY);
    expect(kinds).toEqual(['messageStart', ...Array<string>(24).fill('contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
  });

  it('ends a stream-error stream with an exception the SDK raises, after half the deltas', async () => {
    const response = await client('/scenario/stream-error').send(new ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages }));
    let deltas = 0;
    const error = await (async () => {
      for await (const event of response.stream!) if (event.contentBlockDelta) deltas += 1;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect(deltas).toBe(12);
  });

  it('answers error statuses with the code in x-amzn-errortype, retried by the SDK as AWS would be', async () => {
    const error = await client('', { maxAttempts: 2 })
      .send(new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0+error-429', messages }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 429, attempts: 2 } });
    expect(bedrock.requests.map((request) => [request.model, request.scenario, request.status])).toEqual([
      ['amazon.nova-lite-v1:0', 'error-429', 429],
      ['amazon.nova-lite-v1:0', 'error-429', 429],
    ]);
  });
});

describe('InvokeModel', () => {
  const anthropicBody = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 12, messages: [{ role: 'user', content: question }] };

  it("answers an Anthropic model in Anthropic's shape, the token counts in the response headers", async () => {
    const modelId = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const response = await client().send(new InvokeModelCommand({ modelId, body: JSON.stringify(anthropicBody), contentType: 'application/json' }));
    const message = JSON.parse(utf8.decode(response.body)) as { model: string; usage: { input_tokens: number; output_tokens: number } };
    expect(message.model).toBe('claude-3-5-haiku-20241022');
    expect(message.usage).toMatchObject({ input_tokens: expectedInvokeCounts(modelId, anthropicBody).input, output_tokens: 12 });
    const raw = await fetch(`${bedrock.url}/model/${encodeURIComponent(modelId)}/invoke`, { method: 'POST', body: JSON.stringify(anthropicBody) });
    expect(raw.headers.get('x-amzn-bedrock-input-token-count')).toBe(String(message.usage.input_tokens));
    expect(raw.headers.get('x-amzn-bedrock-output-token-count')).toBe('12');
    expect(raw.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers Titan embeddings with their input token count', async () => {
    const body = { inputText: 'budget gate ledger' };
    const response = await client().send(new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', body: JSON.stringify(body) }));
    expect(JSON.parse(utf8.decode(response.body))).toMatchObject({ inputTextTokenCount: 5 });
  });

  it('streams Anthropic events as base64 chunks, the last one with the invocation metrics', async () => {
    const modelId = 'anthropic.claude-3-haiku-20240307-v1:0';
    const response = await client().send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(anthropicBody) }));
    const events: Record<string, unknown>[] = [];
    for await (const part of response.body!) events.push(JSON.parse(utf8.decode(part.chunk!.bytes)) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ type: 'message_start', message: { model: 'claude-3-haiku-20240307' } });
    const counts = expectedInvokeCounts(modelId, anthropicBody);
    expect(events.at(-1)).toMatchObject({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: counts.input, outputTokenCount: 12 } });
    expect(response.contentType).toBe('application/json');
  });

  it("streams Nova's own chunks, and refuses to stream an embedding model", async () => {
    const body = { messages, inferenceConfig: { maxTokens: 4 } };
    const response = await client().send(new InvokeModelWithResponseStreamCommand({ modelId: 'amazon.nova-micro-v1:0', body: JSON.stringify(body) }));
    const events: Record<string, unknown>[] = [];
    for await (const part of response.body!) events.push(JSON.parse(utf8.decode(part.chunk!.bytes)) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ metadata: { usage: { outputTokens: 4 } }, 'amazon-bedrock-invocationMetrics': { outputTokenCount: 4 } });
    const refused = await client()
      .send(new InvokeModelWithResponseStreamCommand({ modelId: 'amazon.titan-embed-text-v2:0', body: JSON.stringify({ inputText: 'x' }) }))
      .catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('over HTTP/2', () => {
  it("serves the SDK's own default handler (NodeHttp2Handler), event streams included", async () => {
    const h2 = await startFakeBedrock({ http2: true });
    const sdkDefault = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: h2.url,
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    });
    try {
      const response = await sdkDefault.send(new ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages }));
      let usage: unknown;
      for await (const event of response.stream!) usage = event.metadata?.usage ?? usage;
      expect(usage).toEqual(expectedConverseUsage({ messages }));
      expect(h2.requests).toMatchObject([{ api: 'bedrock.converse-stream', status: 200 }]);
    } finally {
      sdkDefault.destroy();
      await h2.close();
    }
  });
});

describe('the OpenAI-compatible endpoint', () => {
  it("answers OpenAI's Chat Completions, JSON and SSE, the model from the body", async () => {
    const url = `${bedrock.url}/openai/v1/chat/completions`;
    const body = { model: 'openai.gpt-oss-20b-1:0', messages: [{ role: 'user', content: 'Which rule tripped?' }] };
    const completion = (await (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json()) as { model: string; usage: object };
    expect(completion).toMatchObject({ model: 'openai.gpt-oss-20b-1:0', usage: expectedUsage('openai.chat', body) });
    const stream = await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) });
    expect(await stream.text()).toMatch(/data: \[DONE\]\n\n$/);
    const missing = await fetch(url, { method: 'POST', body: JSON.stringify({ messages: body.messages }) });
    expect([missing.status, await missing.json()]).toEqual([400, { message: 'model is required' }]);
  });
});
