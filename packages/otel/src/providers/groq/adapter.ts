import { compatibleCatalog, openAiCompatibleAdapter } from '../openai/compatible.js';
import { openAiDialectWith } from '../openai/dialect.js';
import { isRecord, type JsonRecord, recordAt } from '../wire-values.js';
import { groqCompoundChunkExtras, groqCompoundExtras, groqToolCounter } from './compound.js';

/**
 * Groq: OpenAI's APIs under api.groq.com/openai/v1. A stream reports its
 * usage in `x_groq.usage` of its last content chunk, and with
 * `stream_options.include_usage` also in `usage` there and in a final
 * chunk: the last one read wins, so it is never counted twice. A compound
 * system is priced model by model from its `usage_breakdown` (a stream's in
 * `x_groq`), and the tools it ran counted from its `executed_tools`.
 *
 * @example
 * groqAdapter.matchCall('POST', '/openai/v1/chat/completions') // { operation: 'chat', api: 'chat_completions' }
 */
export const groqAdapter = openAiCompatibleAdapter({
  name: 'groq',
  pricingId: 'groq',
  hosts: ['api.groq.com'],
  catalog: compatibleCatalog('/openai/v1', ['chat', 'responses']),
  dialect: openAiDialectWith({ chunkUsage: groqChunkUsage, bodyExtras: groqCompoundExtras, chunkExtras: groqCompoundChunkExtras, eventUnits: groqToolCounter }),
  errorBody: (type: string, message: string) => ({ error: { message, type, code: type } }),
});

/**
 * The usage of a Groq stream chunk: `usage`, else `x_groq.usage`.
 *
 * @example
 * groqChunkUsage({ choices: [], x_groq: { id: 'req_1', usage: { prompt_tokens: 20, completion_tokens: 4 } } })
 * // { prompt_tokens: 20, completion_tokens: 4 }
 */
export function groqChunkUsage(chunk: JsonRecord): unknown {
  const usage = chunk['usage'];
  return isRecord(usage) ? usage : recordAt(recordAt(chunk, 'x_groq'), 'usage');
}
