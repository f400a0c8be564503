import { isEventStream } from '../body-kind.js';
import { JsonBodyCollector } from '../json-body.js';
import { type JsonShape, readJsonFacts, withExtras } from '../json-reader.js';
import { OutputEstimator } from '../output-estimate.js';
import { requestFacts } from '../request-facts.js';
import { SseDecoder } from '../sse.js';
import { deltaTextLength, eventType } from '../stream-scan.js';
import { textLength, tokensFromChars } from '../text-size.js';
import type { BilledExtras, ProviderCall, RequestFacts, ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import type { UnitCalls } from '../unit-calls.js';
import { countAt, isRecord, type JsonRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { mistralChatUsage } from './usage.js';

/** Message deltas parsed at most for the model, which the first carries. */
const MODEL_PROBES = 4;

const CONVERSATION_CALL: ProviderCall = Object.freeze({ operation: 'chat', api: 'conversations' });

// Start (`/v1/conversations`), append (`/v1/conversations/{id}`) and restart (`/v1/conversations/{id}/restart`).
const CONVERSATION_PATH = /\/v1\/conversations(?:\/[^/]+(?:\/restart)?)?\/?$/;

/** Mistral's connectors, by `usage.connectors` key, and the costctl unit each is counted in; any other is `other_tool_calls`. */
const CONNECTOR_UNITS: Readonly<Record<string, string>> = Object.freeze({
  web_search: 'web_searches',
  web_search_premium: 'web_searches',
  code_interpreter: 'code_executions',
  image_generation: 'image_generations',
  document_library: 'file_searches',
});

/**
 * Mistral's Conversations API (https://docs.mistral.ai/api/#tag/beta.conversations):
 * `POST /v1/conversations`, `/v1/conversations/{id}` and
 * `/v1/conversations/{id}/restart`, JSON or SSE. Priced from its tokens like
 * a chat call: `usage.prompt_tokens` plus `connector_tokens` (what the
 * connectors read, in `total_tokens`) as input, `completion_tokens` as
 * output; the connectors it ran (`usage.connectors`, calls by name) are
 * counted as server-side tool calls (`web_searches`, `code_executions`…).
 * The model is the first `message.output` entry's (an agent's request names none).
 *
 * @example
 * mistralConversationCalls.match('POST', '/v1/conversations/conv_0195/restart') // { operation: 'chat', api: 'conversations' }
 */
export const mistralConversationCalls: UnitCalls = Object.freeze({
  catalog: [{ operation: 'Conversations', endpoint: 'POST /v1/conversations[/{id}[/restart]]', streaming: 'SSE' as const }],
  match: (method: string, path: string) => (method.toUpperCase() === 'POST' && CONVERSATION_PATH.test(path) ? CONVERSATION_CALL : undefined),
  apis: new Set(['conversations']),
  pricedByTokens: true,
  readRequest: (call: ProviderCall, body: unknown, bodyLength: number) =>
    requestFacts(call, body, bodyLength, {
      maxOutputTokens: (json) => countAt(recordAt(json, 'completion_args'), 'max_tokens'),
      inputTokenEstimate: (json) => tokensFromChars(textLength(json['inputs']) + textLength(json['instructions'])),
    }),
  createReader: (request: RequestFacts, contentType: string | undefined) =>
    isEventStream(contentType, request.stream) ? new ConversationStreamReader() : new ConversationJsonReader(),
});

/**
 * TokenUsage of a Conversations `usage` object: the connectors' tokens are input.
 *
 * @example
 * conversationUsage({ prompt_tokens: 188, completion_tokens: 55, total_tokens: 7355, connector_tokens: 7112, connectors: { web_search: 1 } })
 * // { input: 7300, output: 55, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export function conversationUsage(usage: unknown): TokenUsage | undefined {
  const counted = mistralChatUsage(usage);
  const connector = isRecord(usage) ? countAt(usage, 'connector_tokens') : undefined;
  return counted === undefined || connector === undefined ? counted : { ...counted, input: counted.input + connector };
}

/**
 * The connectors a Conversations `usage` object says ran, as costctl units.
 *
 * @example
 * connectorUnits({ connectors: { web_search: 2 } }) // { units: { web_searches: 2 } }
 */
export function connectorUnits(usage: unknown): BilledExtras {
  const connectors = isRecord(usage) ? recordAt(usage, 'connectors') : undefined;
  if (connectors === undefined) return {};
  const units: Record<string, number> = {};
  for (const name in connectors) {
    const count = countAt(connectors, name);
    if (count === undefined || count === 0) continue;
    const unit = CONNECTOR_UNITS[name] ?? 'other_tool_calls';
    units[unit] = (units[unit] ?? 0) + count;
  }
  return Object.keys(units).length > 0 ? { units } : {};
}

/** The model of the first `message.output` entry of `outputs`. */
function outputModel(outputs: unknown): string | undefined {
  if (!Array.isArray(outputs)) return undefined;
  for (const entry of outputs) if (isRecord(entry) && entry['type'] === 'message.output' && typeof entry['model'] === 'string') return entry['model'];
  return undefined;
}

/** A Conversations JSON answer: `usage` at the top, the model and text in `outputs`, its id `conversation_id`. */
export const conversationJsonShape: JsonShape = Object.freeze({
  usage: conversationUsage,
  extras: (usage: unknown) => connectorUnits(usage),
  output: (body: JsonRecord) => body['outputs'],
  keys: { id: 'conversation_id' },
});

/** Reads a Conversations JSON answer (bounded), its model from `outputs`. */
class ConversationJsonReader implements ResponseReader {
  readonly #body = new JsonBodyCollector();

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    const body = this.#body.finish();
    const facts = readJsonFacts(body, conversationJsonShape);
    if (facts.model === undefined && isRecord(body.value)) facts.model = outputModel(body.value['outputs']);
    return facts;
  }
}

/**
 * Reads a Conversations SSE stream: `message.output.delta` events give the
 * model (the first) and feed the output estimate; `conversation.response.done`
 * carries the usage; `conversation.response.error` fails the call. Only
 * those events are parsed, deltas only until the model is known (the first
 * few at most).
 *
 * @example
 * const reader = new ConversationStreamReader();
 * reader.push(bytes);
 * reader.finish().usage
 */
export class ConversationStreamReader implements ResponseReader {
  readonly #sse = new SseDecoder((event, data) => this.#readEvent(event, data));
  readonly #estimate = new OutputEstimator();
  #model: string | undefined;
  #responseId: string | undefined;
  #usage: TokenUsage | undefined;
  #extras: BilledExtras = {};
  #streamError: string | undefined;
  #modelProbes = 0;

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    const facts: ResponseFacts = {
      model: this.#model,
      responseId: this.#responseId,
      usage: this.#usage,
      usageComplete: this.#usage !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: this.#estimate.tokens,
      ...(this.#streamError === undefined ? {} : { streamError: this.#streamError }),
    };
    return withExtras(facts, this.#extras);
  }

  #readEvent(event: string, data: string): void {
    const type = eventType(event, data);
    if (type === 'message.output.delta') {
      this.#estimate.addDelta(deltaTextLength(data));
      // The model comes with the first deltas: at most a few are parsed for it.
      if (this.#model === undefined && this.#modelProbes < MODEL_PROBES) {
        this.#modelProbes += 1;
        this.#model = stringAt(asRecord(parseJson(data)), 'model');
      }
      return;
    }
    if (type === 'conversation.response.started') {
      this.#responseId ??= stringAt(asRecord(parseJson(data)), 'conversation_id');
      return;
    }
    if (type === 'conversation.response.error') {
      this.#streamError = stringAt(asRecord(parseJson(data)), 'code') ?? 'error';
      return;
    }
    if (type !== 'conversation.response.done') return;
    const usage = asRecord(parseJson(data))?.['usage'];
    this.#usage = conversationUsage(usage) ?? this.#usage;
    this.#extras = connectorUnits(usage);
  }
}

function asRecord(value: unknown): JsonRecord | undefined {
  return isRecord(value) ? value : undefined;
}
