import { textLength, tokensFromChars } from '../text-size.js';
import type { OperationName, RequestFacts } from '../types.js';
import { requestFacts, requestFactsFromText, type RequestShape } from '../request-facts.js';
import { countAt, type JsonRecord } from '../wire-values.js';

/**
 * Reads model, stream flag, output cap and an input-size estimate from an
 * OpenAI request body. Never throws: an unreadable body gives bodyLength / 4.
 *
 * @example
 * readOpenAiRequest({ operation: 'chat', api: 'chat_completions' },
 *   { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there!' }] }, 72)
 * // { …, model: 'gpt-4o-mini', stream: false, maxOutputTokens: undefined, inputTokenEstimate: 3 }
 */
export function readOpenAiRequest(call: { operation: OperationName; api: string }, body: unknown, bodyLength: number): RequestFacts {
  return requestFacts(call, body, bodyLength, shapeOf(call.api));
}

/**
 * `readOpenAiRequest` from the body's text, without parsing it whole;
 * undefined when it must be parsed.
 *
 * @example
 * readOpenAiRequestText({ operation: 'chat', api: 'chat_completions' }, '{"messages":[],"model":"gpt-4o-mini"}')?.model // 'gpt-4o-mini'
 */
export function readOpenAiRequestText(call: { operation: OperationName; api: string }, text: string): RequestFacts | undefined {
  return requestFactsFromText(call, text, shapeOf(call.api));
}

/** One shape per API, made on first use: none per call. */
const shapes = new Map<string, RequestShape>();

function shapeOf(api: string): RequestShape {
  let shape = shapes.get(api);
  if (shape === undefined) {
    shape = {
      maxOutputTokens: (json) => maxOutputTokens(api, json),
      inputTokenEstimate: (json) => inputTokenEstimate(api, json),
      outputKeys: OUTPUT_KEYS[api] ?? [],
    };
    shapes.set(api, shape);
  }
  return shape;
}

/** The keys `maxOutputTokens` reads for each API. */
const OUTPUT_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  chat_completions: ['max_completion_tokens', 'max_tokens'],
  responses: ['max_output_tokens'],
  completions: ['max_tokens'],
});

function maxOutputTokens(api: string, body: JsonRecord): number | undefined {
  switch (api) {
    case 'chat_completions':
      return countAt(body, 'max_completion_tokens') ?? countAt(body, 'max_tokens');
    case 'responses':
      return countAt(body, 'max_output_tokens');
    case 'completions':
      return countAt(body, 'max_tokens');
    default:
      return undefined;
  }
}

function inputTokenEstimate(api: string, body: JsonRecord): number {
  switch (api) {
    case 'chat_completions':
      return tokensFromChars(textLength(body['messages']));
    case 'responses':
      return tokensFromChars(textLength(body['instructions']) + textLength(body['input']));
    case 'embeddings':
      return promptTokenEstimate(body['input']);
    case 'completions':
      return promptTokenEstimate(body['prompt']);
    default:
      return 0;
  }
}

/** Embeddings and legacy completions take text, or token ids already counted for us. */
function promptTokenEstimate(prompt: unknown): number {
  return tokensFromChars(textLength(prompt)) + tokenIdCount(prompt);
}

function tokenIdCount(prompt: unknown): number {
  if (!Array.isArray(prompt)) return 0;
  let count = 0;
  for (const item of prompt) {
    if (typeof item === 'number') count += 1;
    else if (Array.isArray(item)) count += item.filter((id) => typeof id === 'number').length;
  }
  return count;
}
