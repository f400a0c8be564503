/** OpenAI Chat Completions: `chat.completion` JSON and `chat.completion.chunk` SSE, in each flavour. */
import type { ProviderApi, RequestBody } from '../api.js';
import { JsonText } from '../body.js';
import { expectedTokens, flavourUsage } from '../compat-usage.js';
import type { Flavour } from '../flavour.js';
import { isTruncated, replyWords } from '../usage.js';
import { type ChatFlavour, chatFlavour, groqRequestId, sortKeys } from './chat-flavours.js';
import { openaiError } from './errors.js';
import { type Call, type StreamPlan, type WireFormat, dataEvent, half } from './format.js';

/** What a reasoning model streams before its answer; its length says nothing of the reasoning tokens reported. */
const REASONING_TEXT = ['The user asks', ' a short question;', ' answer briefly.'];

/**
 * The Chat Completions wire format, for OpenAI's chat API and for chat-shaped
 * answers of other APIs (Mistral's FIM completions).
 */
export function chatWireFormat(api: ProviderApi): WireFormat {
  return {
    api,
    json: (body, call) => completion(api, body, call),
    stream: (body, call) => chunks(api, body, call),
  };
}

export const openaiChat: WireFormat = chatWireFormat('openai.chat');

function completion(api: ProviderApi, body: RequestBody, call: Call): object {
  const flavour = chatFlavour(call.flavour);
  const id = flavour.id();
  const reasoning = reasons(api, body, call.flavour) ? REASONING_TEXT.join('') : undefined;
  const choice = flavour.choice({
    index: 0,
    message: flavour.message(replyWords(api, body).join(' '), reasoning),
    logprobs: null,
    finish_reason: finishReason(api, body),
  });
  const answer: Record<string, unknown> = {
    id,
    object: 'chat.completion',
    created: call.created,
    model: call.model,
    choices: [flavour.sortedKeys ? sortKeys(choice) : choice],
    usage: flavourUsage(call.flavour, api, body),
    ...flavour.fields(body),
    ...flavour.completionFields(body, id),
  };
  const ordered = flavour.sortedKeys ? sortKeys(answer) : answer;
  return flavour.jsonPreamble === '' ? ordered : new JsonText(flavour.jsonPreamble + JSON.stringify(ordered));
}

/**
 * The flavour's preface, the role delta, reasoning deltas (reasoning models),
 * one content delta per word, the finish chunk, then usage where and when
 * the flavour puts it, and `[DONE]`.
 */
function chunks(api: ProviderApi, body: RequestBody, call: Call): StreamPlan {
  const flavour = chatFlavour(call.flavour);
  const options = body['stream_options'];
  const usageAsked = asksUsage(options) || (call.flavour === 'openrouter' && asksUsage(body['usage'], 'include'));
  const reportsUsage = flavour.stream.when === 'always' || usageAsked;
  const nullUsage = flavour.stream.nullBefore === 'always' || (flavour.stream.nullBefore === 'asked' && usageAsked);
  const id = flavour.id();
  const head = { id, object: 'chat.completion.chunk', created: call.created, model: call.model, ...flavour.fields(body) };
  const chunk = (choices: readonly Record<string, unknown>[], extra: Record<string, unknown> = {}): string => {
    const written = { ...head, choices: choices.map((choice) => order(flavour, flavour.choice(choice))), ...(nullUsage ? { usage: null } : {}), ...extra };
    return dataEvent(order(flavour, written));
  };
  const choice = (delta: object, finish: string | null): Record<string, unknown> => ({ index: 0, delta, logprobs: null, finish_reason: finish });
  const usage = flavourUsage(call.flavour, api, body);
  const groqId = groqRequestId(id);

  const events = [...flavour.preface];
  events.push(
    chunk(
      [choice({ role: 'assistant', content: '', ...(call.flavour === 'openai' || call.flavour === 'azure' ? { refusal: null } : {}) }, null)],
      call.flavour === 'groq' ? { x_groq: { id: groqId, seed: 1877463210 } } : {},
    ),
  );
  if (flavour.reasoningKey !== undefined && reasons(api, body, call.flavour)) {
    for (const text of REASONING_TEXT) events.push(chunk([choice({ [flavour.reasoningKey]: text }, null)]));
  }
  const words = replyWords(api, body);
  const halfway = events.length + half(words.length);
  words.forEach((word, i) => events.push(chunk([choice({ content: i === 0 ? word : ` ${word}` }, null)])));
  events.push(
    chunk([choice(call.flavour === 'mistral' ? { content: '' } : {}, finishReason(api, body))], finishExtras(flavour, reportsUsage, usageAsked, usage, groqId)),
  );
  if (reportsUsage && flavour.stream.where === 'own-chunk') events.push(chunk([], { usage }));
  if (usageAsked && flavour.stream.where === 'groq') events.push(chunk([], { usage, service_tier: 'on_demand' }));
  events.push(dataEvent('[DONE]'));
  return { events, halfway, errorEvent: errorEvent(call.flavour, head) };
}

/** Usage on the finish chunk: where the flavour puts it there; Groq's always in `x_groq`, and in `usage` too when asked. */
function finishExtras(flavour: ChatFlavour, reportsUsage: boolean, usageAsked: boolean, usage: object, groqId: string): Record<string, unknown> {
  if (flavour.stream.where === 'groq') return { x_groq: { id: groqId, usage }, ...(usageAsked ? { usage } : {}) };
  return reportsUsage && flavour.stream.where === 'finish-chunk' ? { usage } : {};
}

/** `stream_options.include_usage` (OpenRouter also takes `usage.include`). */
function asksUsage(options: unknown, key = 'include_usage'): boolean {
  return typeof options === 'object' && options !== null && (options as RequestBody)[key] === true;
}

function errorEvent(flavour: Flavour, head: Record<string, unknown>): string {
  const message = 'The server had an error while processing your request. Sorry about that!';
  // OpenRouter reports an upstream failure mid-stream as a chunk with an error and finish_reason "error".
  if (flavour === 'openrouter') {
    return dataEvent({
      ...head,
      error: { code: 502, message },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: 'error' }],
    });
  }
  return dataEvent({ error: openaiError(500, message) });
}

function order(flavour: ChatFlavour, value: Record<string, unknown>): Record<string, unknown> {
  return flavour.sortedKeys ? sortKeys(value) : value;
}

function reasons(api: ProviderApi, body: RequestBody, flavour: Flavour): boolean {
  return expectedTokens(flavour, api, body).reasoning > 0;
}

function finishReason(api: ProviderApi, body: RequestBody): 'stop' | 'length' {
  return isTruncated(api, body) ? 'length' : 'stop';
}

/** Mistral's FIM completions (`/v1/fim/completions`): a prompt and a suffix in, a chat completion out. */
export const mistralFim: WireFormat = chatWireFormat('mistral.fim');
