// An ordinary app on @aws-sdk/client-bedrock-runtime that knows nothing of
// costctl: it makes the calls listed in CALLS (JSON) against
// FAKE_BEDROCK_URL with fake credentials from the client config, prints one
// JSON line per call (the usage the SDK returned, or the error it raised,
// never the content), prints {"done":true}, and stays up until stdin closes.
// The client's retries stay at their defaults (3 attempts). HANDLER picks its
// transport: `fetch` (FetchHttpHandler, the default here), `node-http`
// (NodeHttpHandler, node:http) or `default` (the SDK's own NodeHttp2Handler,
// node:http2, against a fake started with { http2: true }). The
// OpenAI-compatible endpoint (/openai/v1) is called with the openai client.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { FetchHttpHandler } from '@smithy/fetch-http-handler';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import OpenAI from 'openai';

const calls = JSON.parse(process.env.CALLS ?? '[]');
const base = process.env.FAKE_BEDROCK_URL;
const utf8 = new TextDecoder();

function client(spec) {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${base}${spec.scenario ? `/scenario/${spec.scenario}` : ''}`,
    credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret-key' },
    // `default` leaves the SDK its own NodeHttp2Handler (node:http2).
    ...(process.env.HANDLER === 'default' ? {} : { requestHandler: process.env.HANDLER === 'node-http' ? new NodeHttpHandler() : new FetchHttpHandler() }),
  });
}

async function call(spec) {
  switch (spec.operation) {
    case 'converse': {
      const response = await client(spec).send(new ConverseCommand({ modelId: spec.modelId, ...spec.body }));
      return { usage: response.usage, attempts: response.$metadata.attempts };
    }
    case 'converse-stream': {
      const response = await client(spec).send(new ConverseStreamCommand({ modelId: spec.modelId, ...spec.body }));
      let usage;
      for await (const event of response.stream) usage = event.metadata?.usage ?? usage;
      return { usage };
    }
    case 'invoke': {
      const response = await client(spec).send(
        new InvokeModelCommand({ modelId: spec.modelId, body: JSON.stringify(spec.body), contentType: 'application/json' }),
      );
      const body = JSON.parse(utf8.decode(response.body));
      return { usage: body.usage ?? { inputTextTokenCount: body.inputTextTokenCount } };
    }
    case 'invoke-stream': {
      const response = await client(spec).send(new InvokeModelWithResponseStreamCommand({ modelId: spec.modelId, body: JSON.stringify(spec.body) }));
      let metrics;
      for await (const part of response.body) metrics = JSON.parse(utf8.decode(part.chunk.bytes))['amazon-bedrock-invocationMetrics'] ?? metrics;
      return { metrics };
    }
    case 'openai-chat':
    case 'openai-chat-stream': {
      const openai = new OpenAI({ apiKey: 'bedrock-api-key', baseURL: `${base}${spec.scenario ? `/scenario/${spec.scenario}` : ''}/openai/v1`, maxRetries: 0 });
      const params = { model: spec.modelId, ...spec.body };
      if (spec.operation === 'openai-chat') return { usage: (await openai.chat.completions.create(params)).usage };
      let usage;
      for await (const chunk of await openai.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }))
        usage = chunk.usage ?? usage;
      return { usage };
    }
    default:
      throw new Error(`unknown operation ${spec.operation}`);
  }
}

for (const [index, spec] of calls.entries()) {
  const started = performance.now();
  try {
    console.log(JSON.stringify({ index, ok: true, ...(await call(spec)) }));
  } catch (error) {
    const { name, message, $metadata } = error;
    console.log(
      JSON.stringify({
        index,
        ok: false,
        error: { name, message, status: $metadata?.httpStatusCode, attempts: $metadata?.attempts },
        millis: performance.now() - started,
      }),
    );
  }
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
