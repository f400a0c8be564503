import { requestFacts } from '../request-facts.js';
import { textLength, tokensFromChars } from '../text-size.js';
import type { ProviderCall, RequestFacts } from '../types.js';
import { countAt, isRecord, type JsonRecord } from '../wire-values.js';

/**
 * Reads model, stream flag, `max_tokens` and an input-size estimate from a
 * Cohere request: the messages' text for v2 chat; for v1 chat the `message`,
 * `preamble` and the `chat_history` turns' `message` text; the `texts` (or
 * `inputs` content) for embed — never the base64 of embedded images; the
 * query and documents for rerank. Never throws.
 *
 * @example
 * readCohereRequest({ operation: 'chat', api: 'chat' },
 *   { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Tell me about LLMs' }] }, 88)
 * // { …, model: 'command-a-03-2025', stream: false, maxOutputTokens: undefined, inputTokenEstimate: 5 }
 */
export function readCohereRequest(call: ProviderCall, body: unknown, bodyLength: number): RequestFacts {
  return requestFacts(call, body, bodyLength, {
    maxOutputTokens: (json: JsonRecord) => (call.api === 'embed' || call.api === 'rerank' ? 0 : countAt(json, 'max_tokens')),
    inputTokenEstimate: (json: JsonRecord) => tokensFromChars(inputChars(call.api, json)),
  });
}

function inputChars(api: string, json: JsonRecord): number {
  switch (api) {
    case 'chat':
      return textLength(json['messages']) + textLength(json['documents']);
    case 'chat_v1':
      return textLength(json['message']) + textLength(json['preamble']) + historyChars(json['chat_history']) + textLength(json['documents']);
    case 'rerank':
      return textLength(json['query']) + textLength(json['documents']);
    default:
      return textLength(json['texts']) + textLength(json['inputs']);
  }
}

/** v1 turns keep their text under `message`, which is no text key of v2's shapes. */
function historyChars(history: unknown): number {
  if (!Array.isArray(history)) return 0;
  let total = 0;
  for (const turn of history) if (isRecord(turn)) total += textLength(turn['message']);
  return total;
}
