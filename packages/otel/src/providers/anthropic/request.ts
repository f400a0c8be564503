import { textLength, tokensFromChars } from '../text-size.js';
import type { OperationName, RequestFacts } from '../types.js';
import { requestFacts, requestFactsFromText, type RequestShape } from '../request-facts.js';
import { countAt } from '../wire-values.js';

/**
 * Reads model, stream flag, `max_tokens` and an input-size estimate (`system`
 * plus messages text) from a Messages request body. Never throws: an
 * unreadable body gives bodyLength / 4.
 *
 * @example
 * readAnthropicRequest({ operation: 'chat', api: 'messages' },
 *   { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello, Claude' }] }, 98)
 * // { …, model: 'claude-sonnet-4-5', stream: false, maxOutputTokens: 1024, inputTokenEstimate: 4 }
 */
export function readAnthropicRequest(call: { operation: OperationName; api: string }, body: unknown, bodyLength: number): RequestFacts {
  return requestFacts(call, body, bodyLength, messagesRequestShape);
}

/**
 * `readAnthropicRequest` from the body's text, without parsing it whole;
 * undefined when it must be parsed.
 *
 * @example
 * readAnthropicRequestText({ operation: 'chat', api: 'messages' }, '{"model":"claude-haiku-4-5","max_tokens":64,"messages":[]}')?.maxOutputTokens // 64
 */
export function readAnthropicRequestText(call: { operation: OperationName; api: string }, text: string): RequestFacts | undefined {
  return requestFactsFromText(call, text, messagesRequestShape);
}

const messagesRequestShape: RequestShape = {
  outputKeys: ['max_tokens'],
  maxOutputTokens: (body) => countAt(body, 'max_tokens'),
  inputTokenEstimate: (body) => tokensFromChars(textLength(body['system']) + textLength(body['messages'])),
};
