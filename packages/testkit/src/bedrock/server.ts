/**
 * A fake Amazon Bedrock runtime: Converse and InvokeModel, as JSON and as
 * the binary event stream, for `@aws-sdk/client-bedrock-runtime`
 * unmodified (set the client's `endpoint` to it; SigV4 signatures are not
 * checked). HTTP/1.1 by default; `{ http2: true }` for the SDK's own default
 * handler, NodeHttp2Handler.
 */
import { randomUUID } from 'node:crypto';
import { sendJson } from '../body.js';
import {
  type Exchange,
  type FakeCloud,
  type FakeCloudOptions,
  conclude,
  decodedSegment,
  pause,
  requestScenario,
  sendPlan,
  startFakeCloud,
} from '../cloud/fake-server.js';
import { answerOpenAiChat } from '../cloud/openai-compatible.js';
import { SCENARIO_NAMES, errorStatus } from '../scenario.js';
import { EventStreamSink } from './event-stream.js';
import { bedrockError, converseJson, converseStream, invokeHeaders, invokeJson, invokeStream } from './wire.js';

/** The runtime operations, by the path suffix that names each. */
const OPERATIONS: readonly (readonly [suffix: string, operation: string])[] = [
  ['/converse', 'converse'],
  ['/converse-stream', 'converse-stream'],
  ['/invoke', 'invoke'],
  ['/invoke-with-response-stream', 'invoke-with-response-stream'],
];

/**
 * Starts a fake Bedrock runtime. Routes are `POST …/model/{modelId}/converse`,
 * `/converse-stream`, `/invoke` and `/invoke-with-response-stream` (any
 * prefix); the model id is URL-decoded. InvokeModel answers in the model
 * family's own body (Anthropic Messages for `anthropic.` ids, Titan for
 * embedding ids, Nova otherwise) with its token counts in the
 * `x-amzn-bedrock-*-token-count` headers; streams are event stream frames
 * with correct CRC32s, ending in ConverseStream's `metadata` event or the
 * invocation metrics of the last chunk. Every answer carries
 * `x-amzn-requestid`. Scenarios are picked by a `+<scenario>` suffix on the
 * model id or a `/scenario/<name>/` path segment (see `scenario.ts`);
 * `stream-error` ends a stream with a `modelStreamErrorException` message.
 * `POST …/openai/v1/chat/completions` answers OpenAI's Chat Completions
 * (JSON and SSE, the model in the body), as Bedrock's OpenAI-compatible
 * endpoint does. Token accounting: `bedrock/usage.ts`.
 *
 * @example
 * const bedrock = await startFakeBedrock();
 * const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: bedrock.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
 * await client.send(new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
 * await bedrock.close();
 */
export function startFakeBedrock(options: FakeCloudOptions = {}): Promise<FakeCloud> {
  return startFakeCloud(answerBedrock, options);
}

async function answerBedrock(exchange: Exchange): Promise<void> {
  const { method, path, body, res, signal, pacing } = exchange;
  if (method === 'POST' && /\/openai\/v1\/chat\/completions$/.test(path)) return answerOpenAiChat(exchange, bedrockError(400, 'model is required').body);
  const requestId = randomUUID();
  const found = method === 'POST' ? OPERATIONS.find(([suffix]) => path.endsWith(suffix)) : undefined;
  const at = path.indexOf('/model/');
  const encoded = found !== undefined && at !== -1 ? path.slice(at + '/model/'.length, path.length - found[0].length) : '';
  const requested = decodedSegment(encoded);
  const operation = requested === '' ? undefined : found?.[1];
  const { model, named, scenario } = requestScenario(path, requested);
  const stream = operation === 'converse-stream' || operation === 'invoke-with-response-stream';
  const entry = {
    method,
    path,
    api: operation === undefined ? null : `bedrock.${operation}`,
    model: operation === undefined ? null : model,
    stream,
    scenario: scenario ?? null,
  };
  const fail = async (status: number, message: string): Promise<void> => {
    exchange.record({ ...entry, stream: false, status });
    await pause(pacing.latencyMs, signal);
    const error = bedrockError(status, message);
    (await sendJson(res, status, { 'x-amzn-requestid': requestId, ...error.headers }, error.body, { compress: false, half: false })).end();
  };

  if (operation === undefined) return fail(404, `Unknown operation ${method} ${path}`);
  if (body === undefined) return fail(400, 'Malformed input request, please reformat your input and try again.');
  if (scenario === undefined) return fail(400, `Unknown costctl testkit scenario "${named}"; expected one of: ${SCENARIO_NAMES}.`);
  const status = errorStatus(scenario);
  if (status !== undefined && !(scenario === 'stream-error' && stream)) return fail(status, `costctl testkit scenario "${scenario}"`);
  const invokePlan = operation === 'invoke-with-response-stream' ? invokeStream(model, body, requestId) : undefined;
  if (operation === 'invoke-with-response-stream' && invokePlan === undefined) return fail(400, `The model ${model} does not support response streaming.`);

  exchange.record({ ...entry, status: 200 });
  await pause(pacing.latencyMs, signal);
  const headers = { 'x-amzn-requestid': requestId };
  switch (operation) {
    case 'converse':
      return conclude(await sendJson(res, 200, headers, converseJson(body), { compress: false, half: scenario === 'cut' }), scenario, pacing, signal);
    case 'invoke': {
      const json = invokeJson(model, body, requestId);
      return conclude(
        await sendJson(res, 200, { ...headers, ...invokeHeaders(model, body) }, json, { compress: false, half: scenario === 'cut' }),
        scenario,
        pacing,
        signal,
      );
    }
    case 'converse-stream':
      return sendPlan(new EventStreamSink(res, headers), converseStream(body), scenario, pacing, signal);
    default:
      return sendPlan(new EventStreamSink(res, { ...headers, 'x-amzn-bedrock-content-type': 'application/json' }), invokePlan!, scenario, pacing, signal);
  }
}
