/**
 * How each flavour departs from OpenAI's Chat Completions format: its ids,
 * the fields it adds to a completion and to every chunk, and where its
 * streams put usage. `openai-chat.ts` builds both from these.
 */
import { randomUUID } from 'node:crypto';
import type { RequestBody } from '../api.js';
import type { Flavour } from '../flavour.js';
import { commentEvent } from './format.js';
import { newId } from './ids.js';

/** Where a flavour's stream reports usage. */
export interface StreamUsage {
  /** `asked`: only with `stream_options.include_usage`; `always`: on every stream. */
  when: 'asked' | 'always';
  /** `own-chunk`: a last chunk with `choices: []`; `finish-chunk`: on the chunk with `finish_reason`; `groq`: see groq. */
  where: 'own-chunk' | 'finish-chunk' | 'groq';
  /** Whether chunks before it carry `"usage": null`. */
  nullBefore: 'asked' | 'always' | 'never';
}

/** One flavour of Chat Completions. */
export interface ChatFlavour {
  /** A completion id in the provider's format. */
  id(): string;
  /** Fields of the completion and of every chunk, after id/object/created/model. */
  fields(body: RequestBody): Record<string, unknown>;
  /** Fields of the completion only, after usage. */
  completionFields(body: RequestBody, id: string): Record<string, unknown>;
  /** A choice (of the completion or a chunk), given OpenAI's. */
  choice(choice: Record<string, unknown>): Record<string, unknown>;
  /** The assistant message of a completion, given the reply and the reasoning text. */
  message(content: string, reasoning: string | undefined): Record<string, unknown>;
  stream: StreamUsage;
  /** Events before the first chunk: comments, Azure's content-filter report. */
  preface: readonly string[];
  /** The delta key reasoning text streams under, for flavours whose models reason. */
  reasoningKey: string | undefined;
  /** Written before a JSON body (OpenRouter holds the connection with blank lines). */
  jsonPreamble: string;
  /** True when the provider writes keys in alphabetical order (Azure). */
  sortedKeys: boolean;
}

/** The tier a request is served on: the one it asks for when OpenAI has it, else `default`. */
export function servedTier(body: RequestBody): string {
  const asked = body['service_tier'];
  return asked === 'flex' || asked === 'priority' || asked === 'scale' ? asked : 'default';
}

const FILTERED_SAFE = { filtered: false, severity: 'safe' };
const CONTENT_FILTER = { hate: FILTERED_SAFE, self_harm: FILTERED_SAFE, sexual: FILTERED_SAFE, violence: FILTERED_SAFE };
const PROMPT_FILTER = [{ prompt_index: 0, content_filter_results: { ...CONTENT_FILTER, jailbreak: { detected: false, filtered: false } } }];

const OPENAI: ChatFlavour = {
  id: () => newId('chatcmpl-', 14),
  fields: (body) => ({ service_tier: servedTier(body), system_fingerprint: 'fp_c0571c7e5t' }),
  completionFields: () => ({}),
  choice: (choice) => choice,
  message: (content) => ({ role: 'assistant', content, refusal: null, annotations: [] }),
  stream: { when: 'asked', where: 'own-chunk', nullBefore: 'asked' },
  preface: [],
  reasoningKey: undefined,
  jsonPreamble: '',
  sortedKeys: false,
};

const FLAVOURS: Readonly<Record<Flavour, ChatFlavour>> = {
  openai: OPENAI,
  azure: {
    ...OPENAI,
    completionFields: () => ({ prompt_filter_results: PROMPT_FILTER }),
    choice: (choice) => ({ ...choice, content_filter_results: 'delta' in choice && Object.keys(choice['delta'] as object).length === 0 ? {} : CONTENT_FILTER }),
    // Azure reports the prompt's content filtering first, in a chunk with no id and no model.
    preface: [`data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER })}\n\n`],
    sortedKeys: true,
  },
  mistral: {
    ...OPENAI,
    id: () => newId('', 16),
    fields: () => ({}),
    choice: ({ logprobs: _logprobs, ...choice }) => choice,
    message: (content) => ({ role: 'assistant', tool_calls: null, content }),
    stream: { when: 'always', where: 'finish-chunk', nullBefore: 'never' },
  },
  groq: {
    ...OPENAI,
    id: () => `chatcmpl-${randomUUID()}`,
    fields: () => ({ system_fingerprint: 'fp_3f3b593e33' }),
    completionFields: (_body, id) => ({ usage_breakdown: null, x_groq: { id: groqRequestId(id) }, service_tier: 'on_demand' }),
    message: (content) => ({ role: 'assistant', content }),
    stream: { when: 'always', where: 'groq', nullBefore: 'never' },
  },
  deepseek: {
    ...OPENAI,
    id: () => randomUUID(),
    fields: () => ({ system_fingerprint: 'fp_7e0991cad4_prod0820_fp8_kvcache' }),
    message: (content, reasoning) => ({ role: 'assistant', content, ...(reasoning === undefined ? {} : { reasoning_content: reasoning }) }),
    // DeepSeek keeps a queued request's connection alive with comments.
    preface: [commentEvent('keep-alive'), commentEvent('keep-alive')],
    reasoningKey: 'reasoning_content',
  },
  xai: {
    ...OPENAI,
    id: () => randomUUID(),
    fields: () => ({ system_fingerprint: 'fp_25ea88a038' }),
    choice: ({ logprobs: _logprobs, ...choice }) => choice,
    message: (content, reasoning) => ({ role: 'assistant', content, ...(reasoning === undefined ? {} : { reasoning_content: reasoning }), refusal: null }),
    stream: { when: 'asked', where: 'own-chunk', nullBefore: 'never' },
    reasoningKey: 'reasoning_content',
  },
  openrouter: {
    ...OPENAI,
    id: () => `gen-${Math.floor(Date.now() / 1000)}-${newId('', 10)}`,
    fields: () => ({ provider: 'OpenAI' }),
    completionFields: () => ({ system_fingerprint: 'fp_560af6e559' }),
    choice: (choice) => ({ ...choice, native_finish_reason: choice['finish_reason'] }),
    message: (content) => ({ role: 'assistant', content, refusal: null, reasoning: null }),
    stream: { when: 'asked', where: 'finish-chunk', nullBefore: 'never' },
    preface: [commentEvent('OPENROUTER PROCESSING'), commentEvent('OPENROUTER PROCESSING')],
    jsonPreamble: '\n         \n',
  },
  together: {
    ...OPENAI,
    id: () => `${newId('oC', 4)}-4Yz4kd-${newId('', 8)}`,
    fields: () => ({ service_tier: null, system_fingerprint: null }),
    completionFields: () => ({ prompt: [] }),
    choice: (choice) => togetherChoice(choice),
    message: (content) => ({ role: 'assistant', content, tool_calls: [] }),
    stream: { when: 'always', where: 'finish-chunk', nullBefore: 'always' },
  },
  fireworks: {
    ...OPENAI,
    id: () => randomUUID(),
    fields: () => ({}),
    choice: ({ logprobs: _logprobs, ...choice }) => choice,
    message: (content) => ({ role: 'assistant', content }),
    stream: { when: 'always', where: 'finish-chunk', nullBefore: 'always' },
  },
};

/**
 * The Chat Completions flavour of a provider.
 *
 * @example
 * chatFlavour('groq').stream.where // 'groq'
 */
export function chatFlavour(flavour: Flavour): ChatFlavour {
  return FLAVOURS[flavour];
}

/** Groq's request id for a completion: `req_` and 26 characters. */
export function groqRequestId(completionId: string): string {
  return `req_${completionId.replace(/[^0-9a-f]/g, '').slice(0, 26)}`;
}

/** Together streams each token's text twice (`text` and `delta.content`), with its token id. */
function togetherChoice(choice: Record<string, unknown>): Record<string, unknown> {
  const delta = choice['delta'] as Record<string, unknown> | undefined;
  if (delta === undefined) return { ...choice, seed: 1827364554 };
  const text = typeof delta['content'] === 'string' ? delta['content'] : '';
  const finished = choice['finish_reason'] !== null;
  return {
    index: choice['index'],
    text,
    logprobs: null,
    finish_reason: choice['finish_reason'],
    seed: finished ? 2387155844510162400 : null,
    delta: { token_id: text.length, role: 'assistant', content: text, tool_calls: null },
  };
}

/** A copy with its keys in alphabetical order, as Azure writes them. */
export function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  );
}
