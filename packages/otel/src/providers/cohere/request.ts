import { requestFacts } from '../request-facts.js';
import { textLength, tokensFromChars } from '../text-size.js';
import type { ProviderCall, RequestFacts } from '../types.js';
import { countAt, type JsonRecord } from '../wire-values.js';

/**
 * Reads model, stream flag, `max_tokens` and an input-size estimate from a
 * Cohere v2 request: the messages' text for chat, the `texts` (or `inputs`
 * content) for embed — never the base64 of embedded images. Never throws.
 *
 * @example
 * readCohereRequest({ operation: 'chat', api: 'chat' },
 *   { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Tell me about LLMs' }] }, 88)
 * // { …, model: 'command-a-03-2025', stream: false, maxOutputTokens: undefined, inputTokenEstimate: 5 }
 */
export function readCohereRequest(call: ProviderCall, body: unknown, bodyLength: number): RequestFacts {
  return requestFacts(call, body, bodyLength, {
    maxOutputTokens: (json: JsonRecord) => (call.api === 'chat' ? countAt(json, 'max_tokens') : 0),
    inputTokenEstimate: (json: JsonRecord) =>
      tokensFromChars(call.api === 'chat' ? textLength(json['messages']) + textLength(json['documents']) : textLength(json['texts']) + textLength(json['inputs'])),
  });
}
