/**
 * The fake provider's token accounting: pure functions of the request body, so
 * a test can compute the exact usage it must observe, then price it itself.
 *
 * Input tokens: `T = ceil(C / 4)`, where `C` is the number of characters
 * (JavaScript string length) of the request's text:
 * - `openai.chat`: `messages[].content`;
 * - `openai.responses`: `instructions` plus `input` (a string, or items' `content`);
 * - `anthropic.messages`: `system` plus `messages[].content`;
 * - `openai.embeddings`: every string of `input`; token-id arrays add one token per id;
 * - `mistral.fim`: `prompt` plus `suffix`.
 *
 * A content value counts as its own length when it is a string, or as the sum
 * of its parts' (blocks') `text` lengths when it is an array; other fields
 * (roles, tools, images, the model name) count nothing.
 *
 * Output tokens: the reply is the first `N` words of {@link CANNED_REPLY}
 * (24 words), one word per token and per stream delta, with
 * `N = min(24, limit)` where `limit` is `max_completion_tokens ?? max_tokens`
 * (chat), `max_output_tokens` (responses) or `max_tokens` (anthropic, FIM).
 * When `N < 24` the reply is cut short: `finish_reason: 'length'`,
 * `stop_reason: 'max_tokens'`, or `status: 'incomplete'` (responses).
 * Embeddings have no output tokens. Reasoning and audio tokens are always 0.
 *
 * Cached tokens: `K = floor(T / 2)` when the request asks for caching, else 0.
 * - OpenAI asks with a non-empty `prompt_cache_key`; `K` is reported in
 *   `*_tokens_details.cached_tokens` and stays inside the input total.
 * - Anthropic asks with `cache_control` at the top level or on any `system`
 *   or message content block. A first turn (one message) writes the cache
 *   (`cache_creation_input_tokens = K`), a later turn (two or more messages)
 *   reads it (`cache_read_input_tokens = K`); `input_tokens = T - K` since
 *   Anthropic's input excludes cached tokens.
 */
import { type ProviderApi, field } from './api.js';

/** The assistant's whole answer; a reply of `N` tokens is its first `N` words. */
export const CANNED_REPLY =
  'This reply comes from the costctl fake provider. Every word is one output token, ' + 'so tests can predict usage and price every call exactly.';

const REPLY_WORDS: readonly string[] = CANNED_REPLY.split(' ');

/** `usage` of a Chat Completions response, as on the wire. */
export interface OpenAIChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** `usage` of a Responses API response, as on the wire. */
export interface OpenAIResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** `usage` of an Embeddings response, as on the wire. */
export interface OpenAIEmbeddingsUsage {
  prompt_tokens: number;
  total_tokens: number;
}

/** `usage` of an Anthropic message, as on the wire (input excludes the cache). */
export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard';
}

/** `usage` of a Mistral FIM completion, as on the wire. */
export interface MistralFimUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The usage shape each API reports. */
export interface UsageByApi {
  'openai.chat': OpenAIChatUsage;
  'openai.responses': OpenAIResponsesUsage;
  'openai.embeddings': OpenAIEmbeddingsUsage;
  'anthropic.messages': AnthropicUsage;
  'mistral.fim': MistralFimUsage;
}

/** Token counts of a call before any provider's wire shape: `cached` is part of `input`. */
export interface TokenCounts {
  input: number;
  output: number;
  cached: number;
}

/**
 * The token counts behind {@link expectedUsage}, for wire shapes built elsewhere (the flavours).
 *
 * @example
 * tokenCounts('openai.chat', { messages: [{ role: 'user', content: 'Say hi' }] }) // { input: 2, output: 24, cached: 0 }
 */
export function tokenCounts(api: ProviderApi, body: object): TokenCounts {
  const input = inputTokens(api, body);
  return { input, output: outputTokens(api, body), cached: cachedTokens(api, body, input) };
}

/**
 * The usage the fake provider reports for a request body, exactly as it
 * appears on the wire (see the module comment for the formula). Scenario
 * suffixes on the model change nothing here.
 *
 * @example
 * const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi' }] };
 * expectedUsage('openai.chat', body).prompt_tokens; // ceil(6 / 4) = 2
 * expectedUsage('openai.chat', body).completion_tokens; // 24
 */
export function expectedUsage<A extends ProviderApi>(api: A, body: object): UsageByApi[A];
export function expectedUsage(api: ProviderApi, body: object): UsageByApi[ProviderApi] {
  const input = inputTokens(api, body);
  const cached = cachedTokens(api, body, input);
  const output = outputTokens(api, body);
  switch (api) {
    case 'openai.chat':
      return {
        prompt_tokens: input,
        completion_tokens: output,
        total_tokens: input + output,
        prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      };
    case 'openai.responses':
      return {
        input_tokens: input,
        input_tokens_details: { cached_tokens: cached },
        output_tokens: output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: input + output,
      };
    case 'openai.embeddings':
      return { prompt_tokens: input, total_tokens: input };
    case 'anthropic.messages': {
      const written = isFirstTurn(body) ? cached : 0;
      return {
        input_tokens: input - cached,
        cache_creation_input_tokens: written,
        cache_read_input_tokens: cached - written,
        cache_creation: { ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 },
        output_tokens: output,
        service_tier: 'standard',
      };
    }
    case 'mistral.fim':
      return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  }
}

/**
 * The assistant text the fake provider answers with: the first `N` words of
 * {@link CANNED_REPLY}, joined by single spaces (empty for embeddings).
 *
 * @example
 * expectedReply('anthropic.messages', { max_tokens: 3, messages: [] }); // 'This reply comes'
 */
export function expectedReply(api: ProviderApi, body: object): string {
  return replyWords(api, body).join(' ');
}

/** The reply's words, one per output token and per stream delta. */
export function replyWords(api: ProviderApi, body: object): readonly string[] {
  return REPLY_WORDS.slice(0, outputTokens(api, body));
}

/** True when the reply stops before the end of {@link CANNED_REPLY} (the output limit cut it). */
export function isTruncated(api: ProviderApi, body: object): boolean {
  return api !== 'openai.embeddings' && outputTokens(api, body) < REPLY_WORDS.length;
}

function inputTokens(api: ProviderApi, body: object): number {
  switch (api) {
    case 'openai.chat':
      return Math.ceil(messagesChars(field(body, 'messages')) / 4);
    case 'openai.responses': {
      const input = field(body, 'input');
      const chars = textChars(field(body, 'instructions')) + (typeof input === 'string' ? input.length : messagesChars(input));
      return Math.ceil(chars / 4);
    }
    case 'anthropic.messages':
      return Math.ceil((contentChars(field(body, 'system')) + messagesChars(field(body, 'messages'))) / 4);
    case 'openai.embeddings':
      return embeddingTokens(field(body, 'input'));
    case 'mistral.fim':
      return Math.ceil((textChars(field(body, 'prompt')) + textChars(field(body, 'suffix'))) / 4);
  }
}

function outputTokens(api: ProviderApi, body: object): number {
  let limit: unknown;
  switch (api) {
    case 'openai.embeddings':
      return 0;
    case 'openai.chat':
      limit = field(body, 'max_completion_tokens') ?? field(body, 'max_tokens');
      break;
    case 'openai.responses':
      limit = field(body, 'max_output_tokens');
      break;
    case 'anthropic.messages':
    case 'mistral.fim':
      limit = field(body, 'max_tokens');
      break;
  }
  const words = REPLY_WORDS.length;
  return typeof limit === 'number' && Number.isFinite(limit) ? Math.max(0, Math.min(words, Math.floor(limit))) : words;
}

function cachedTokens(api: ProviderApi, body: object, input: number): number {
  switch (api) {
    case 'openai.chat':
    case 'openai.responses': {
      const key = field(body, 'prompt_cache_key');
      return typeof key === 'string' && key.length > 0 ? Math.floor(input / 2) : 0;
    }
    case 'anthropic.messages':
      return asksAnthropicCache(body) ? Math.floor(input / 2) : 0;
    case 'openai.embeddings':
    case 'mistral.fim':
      return 0;
  }
}

function asksAnthropicCache(body: object): boolean {
  if (field(body, 'cache_control') != null) return true;
  if (hasCacheControlBlock(field(body, 'system'))) return true;
  const messages = field(body, 'messages');
  return Array.isArray(messages) && messages.some((message) => isObject(message) && hasCacheControlBlock(message['content']));
}

function hasCacheControlBlock(content: unknown): boolean {
  return Array.isArray(content) && content.some((block) => isObject(block) && block['cache_control'] != null);
}

function isFirstTurn(body: object): boolean {
  const messages = field(body, 'messages');
  return !Array.isArray(messages) || messages.length <= 1;
}

function messagesChars(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let chars = 0;
  for (const message of messages) if (isObject(message)) chars += contentChars(message['content']);
  return chars;
}

function contentChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content) if (isObject(part)) chars += textChars(part['text']);
  return chars;
}

function textChars(text: unknown): number {
  return typeof text === 'string' ? text.length : 0;
}

function embeddingTokens(input: unknown): number {
  if (typeof input === 'string') return Math.ceil(input.length / 4);
  if (!Array.isArray(input)) return 0;
  let chars = 0;
  let ids = 0;
  for (const item of input) {
    if (typeof item === 'string') chars += item.length;
    else if (typeof item === 'number') ids += 1;
    else if (Array.isArray(item)) ids += item.length;
  }
  return Math.ceil(chars / 4) + ids;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}
