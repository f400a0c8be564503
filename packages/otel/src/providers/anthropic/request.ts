import { textLength, tokensFromChars } from '../text-size.js';
import type { OperationName, RequestFacts } from '../types.js';
import { countAt, isRecord, stringAt } from '../wire-values.js';

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
export function readAnthropicRequest(
  call: { operation: OperationName; api: string },
  body: unknown,
  bodyLength: number,
): RequestFacts {
  const unreadable: RequestFacts = {
    operation: call.operation,
    api: call.api,
    model: undefined,
    stream: false,
    maxOutputTokens: undefined,
    inputTokenEstimate: tokensFromChars(bodyLength),
  };
  if (!isRecord(body)) return unreadable;
  try {
    return {
      ...unreadable,
      model: stringAt(body, 'model'),
      stream: body['stream'] === true,
      maxOutputTokens: countAt(body, 'max_tokens'),
      inputTokenEstimate: tokensFromChars(textLength(body['system']) + textLength(body['messages'])),
    };
  } catch {
    return unreadable;
  }
}
