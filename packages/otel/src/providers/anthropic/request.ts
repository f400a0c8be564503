import { textLength, tokensFromChars } from '../text-size.js';
import type { OperationName, RequestFacts } from '../types.js';
import { requestFacts, type RequestShape } from '../request-facts.js';
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

const messagesRequestShape: RequestShape = {
  maxOutputTokens: (body) => countAt(body, 'max_tokens'),
  inputTokenEstimate: (body) => tokensFromChars(textLength(body['system']) + textLength(body['messages'])),
};
