/**
 * A fake Google AI server: the Gemini API and Vertex AI in their real wire
 * formats, for `@google/genai` unmodified (point `httpOptions.baseUrl` at it).
 */
import type { ServerResponse } from 'node:http';
import type { RequestBody } from '../api.js';
import { EventStream, sendJson } from '../body.js';
import {
  type Exchange,
  type FakeCloud,
  type FakeCloudOptions,
  type MessageSink,
  conclude,
  decodedSegment,
  pause,
  requestScenario,
  sendPlan,
  startFakeCloud,
  write,
} from '../cloud/fake-server.js';
import { answerOpenAiChat } from '../cloud/openai-compatible.js';
import { SCENARIO_NAMES, type Scenario, errorStatus } from '../scenario.js';
import { anthropicMessages } from '../wire/anthropic-messages.js';
import { anthropicError } from '../wire/errors.js';
import { newId } from '../wire/ids.js';
import {
  type GeminiCall,
  embedContentJson,
  generateContentJson,
  generateContentStream,
  googleError,
  predictEmbeddingsJson,
  predictImagesJson,
} from './wire.js';

const GEMINI_VERBS: ReadonlySet<string> = new Set(['generateContent', 'streamGenerateContent', 'embedContent', 'batchEmbedContents']);
const RAW_VERBS: ReadonlySet<string> = new Set(['rawPredict', 'streamRawPredict']);

/**
 * Starts a fake Google AI server. Routes match the end of the path, so any
 * base URL prefix works:
 *
 * | path | answers |
 * |---|---|
 * | `…/models/{model}:generateContent` | GenerateContentResponse JSON |
 * | `…/models/{model}:streamGenerateContent` | its chunks: SSE with `?alt=sse` (what the SDK asks for), else one JSON array sent as the chunks are made |
 * | `…/models/{model}:embedContent`, `:batchEmbedContents` | embeddings with `usageMetadata` |
 * | `…/publishers/anthropic/models/{model}:rawPredict`, `:streamRawPredict` | Claude on Vertex AI: Anthropic's Messages JSON and SSE |
 * | `…/publishers/google/models/{model}:predict` | Vertex AI text embeddings: `predictions` with `statistics.token_count`; for `imagen-…` models, `parameters.sampleCount` base64 images |
 * | `…/endpoints/openapi/chat/completions` | Vertex AI's OpenAI-compatible Chat Completions (model in the body), JSON and SSE |
 *
 * A path under `/publishers/google/` answers in Vertex AI's flavour (stream
 * usage only in the last chunk, `createTime`, `trafficType`). Scenarios are
 * picked by a `+<scenario>` model suffix or a `/scenario/<name>/` path
 * segment (see `scenario.ts`); errors are Google's JSON (Anthropic's on
 * the raw-predict routes). Token accounting: `google/usage.ts`.
 *
 * @example
 * const google = await startFakeGoogle();
 * const ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: google.url } });
 * await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello' });
 * await google.close();
 */
export function startFakeGoogle(options: FakeCloudOptions = {}): Promise<FakeCloud> {
  return startFakeCloud(answerGoogle, options);
}

async function answerGoogle(exchange: Exchange): Promise<void> {
  const { method, path, body, res, signal, pacing } = exchange;
  if (method === 'POST' && /\/endpoints\/openapi\/chat\/completions$/.test(path)) return answerOpenAiChat(exchange, googleError(400, 'model is required'));
  const segments = path.split('/');
  const last = segments.pop() ?? '';
  const colon = last.lastIndexOf(':');
  const verb = colon === -1 ? '' : last.slice(colon + 1);
  const raw = RAW_VERBS.has(verb) && segments.at(-3) === 'publishers' && segments.at(-2) === 'anthropic';
  const predict = verb === 'predict' && segments.at(-3) === 'publishers' && segments.at(-2) === 'google';
  const known = method === 'POST' && segments.at(-1) === 'models' && colon > 0 && (raw || predict || GEMINI_VERBS.has(verb));
  const requested = known ? decodedSegment(last.slice(0, colon)) : '';
  const { model, named, scenario } = requestScenario(path, requested);
  const stream = verb === 'streamGenerateContent' || verb === 'streamRawPredict';
  const entry = { method, path, api: known ? `google.${verb}` : null, model: known ? model : null, stream, scenario: scenario ?? null };
  const fail = async (status: number, message: string): Promise<void> => {
    exchange.record({ ...entry, stream: false, status });
    await pause(pacing.latencyMs, signal);
    const error = raw ? { type: 'error', error: anthropicError(status, message) } : googleError(status, message);
    (await sendJson(res, status, {}, error, { compress: false, half: false })).end();
  };

  if (!known) return fail(404, `Method not found: ${method} ${path}`);
  if (body === undefined) return fail(400, 'Invalid JSON payload received.');
  if (scenario === undefined) return fail(400, `Unknown costctl testkit scenario "${named}"; expected one of: ${SCENARIO_NAMES}.`);
  const status = errorStatus(scenario);
  if (status !== undefined && !(scenario === 'stream-error' && stream)) return fail(status, `costctl testkit scenario "${scenario}"`);

  exchange.record({ ...entry, status: 200 });
  await pause(pacing.latencyMs, signal);
  if (raw) return answerClaude(exchange, body, model, scenario, stream);
  const call: GeminiCall = { model, responseId: newId('', 12), vertex: segments.includes('publishers') };
  if (verb === 'streamGenerateContent') {
    const sink = exchange.query.get('alt') === 'sse' ? sseSink(new EventStream(res, {}, false)) : new JsonArraySink(res);
    return sendPlan(sink, generateContentStream(body, call), scenario, pacing, signal);
  }
  const payload =
    verb === 'generateContent'
      ? generateContentJson(body, call)
      : predict
        ? model.startsWith('imagen-')
          ? predictImagesJson(body)
          : predictEmbeddingsJson(body)
        : embedContentJson(body, verb);
  return conclude(await sendJson(res, 200, {}, payload, { compress: false, half: scenario === 'cut' }), scenario, pacing, signal);
}

/** Claude on Vertex AI: the model is in the path, the body and answer are Anthropic's Messages. */
async function answerClaude(exchange: Exchange, body: RequestBody, model: string, scenario: Scenario, stream: boolean): Promise<void> {
  const { res, pacing, signal } = exchange;
  const call = { model, requestId: newId('req_vrtx_', 10), created: Math.floor(Date.now() / 1000), flavour: 'openai' as const };
  if (!stream)
    return conclude(await sendJson(res, 200, {}, anthropicMessages.json(body, call), { compress: false, half: scenario === 'cut' }), scenario, pacing, signal);
  const plan = anthropicMessages.stream!(body, call);
  const sink = new EventStream(res, {}, false);
  return sendPlan(sink, { messages: plan.events, halfway: plan.halfway, error: plan.errorEvent }, scenario, pacing, signal);
}

/** Gemini's SSE framing: one `data:` line per chunk, events ended by CRLF CRLF. */
function sseSink(events: EventStream): MessageSink<object> {
  return {
    send: (chunk) => events.send(`data: ${JSON.stringify(chunk)}\r\n\r\n`),
    end: () => events.end(),
    cut: () => events.cut(),
  };
}

/** `streamGenerateContent` without `alt=sse`: one JSON array, each chunk written as soon as it is made. */
class JsonArraySink implements MessageSink<object> {
  readonly #res: ServerResponse;
  #first = true;

  constructor(res: ServerResponse) {
    this.#res = res;
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.flushHeaders();
  }

  send(chunk: object): Promise<void> {
    const text = `${this.#first ? '[' : '\n,\r\n'}${JSON.stringify(chunk, null, 2)}`;
    this.#first = false;
    return write(this.#res, text);
  }

  end(): void {
    this.#res.end(this.#first ? '[]' : '\n]');
  }

  cut(): void {
    this.#res.destroy();
  }
}
